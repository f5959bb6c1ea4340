"""Server-rendered SVG charts: pure functions from numbers to markup, no script, no styles.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` and
drawn with presentation attributes only (the site's CSP forbids inline styles). The drawing
is small on purpose, 360 units wide with 13-unit text and no fixed height: the page's
``svg { max-width: 100% }`` shrinks it on a 390 px phone (about 320 px inside a card) to text
of about 12 px, instead of the unreadable 6 px a desktop-sized drawing would become; the
height follows the width. Every piece of text is escaped.
A chart is a picture: pages put the same numbers in a table next to it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH = 360
FONT = 13
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
ACCENT = "#4f46e5"
_ID = re.compile(r"[^A-Za-z0-9_-]")

Formatter = Callable[[float], str]


def _number(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    return f"{value:g}" if value != int(value) else f"{int(value)}"


def nice_ceiling(value: float) -> float:
    """The axis maximum: 1, 2, 2.5 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    safe = _ID.sub("-", chart_id) or "chart"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{safe}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" role="img" '
        f'aria-labelledby="{safe}-title {safe}-desc" font-family="system-ui, sans-serif" '
        f'font-size="{FONT}">',
        f'<title id="{safe}-title">{escape(title)}</title>',
        f'<desc id="{safe}-desc">{escape(description)}</desc>',
    ]


def line_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    description: str,
    chart_id: str = "chart",
    height: int = 220,
    tick_count: int = 5,
    value_format: Formatter = _number,
) -> Markup:
    """A line over evenly spaced points; a ``None`` value breaks the line (no data)."""
    if len(labels) != len(values):
        raise ValueError("labels and values must have the same length")
    left, right, top, bottom = 44, 12, 12, 30
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    known = [v for v in values if v is not None]
    top_value = nice_ceiling(max(known, default=0.0))
    parts = _open(chart_id, title, description, height)
    for i in range(tick_count + 1):
        tick = top_value * i / tick_count
        y = top + plot_h - plot_h * i / tick_count
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{escape(value_format(tick))}</text>"
        )
    count = len(values)

    def x_at(index: int) -> float:
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y_at(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    segments: list[list[tuple[float, float]]] = [[]]
    for index, point in enumerate(values):
        if point is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((x_at(index), y_at(point)))
    for segment in segments:
        if len(segment) == 1:
            x, y = segment[0]
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{ACCENT}"/>')
        elif segment:
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(segment)
            )
            parts.append(
                f'<path d="{path}" fill="none" stroke="{ACCENT}" stroke-width="2" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
    if count:
        # At most five dates under the axis: more would collide on a phone.
        shown = (
            sorted({round(i * (count - 1) / 4) for i in range(5)}) if count > 5 else range(count)
        )
        for index in shown:
            anchor = "start" if index == 0 else "end" if index == count - 1 else "middle"
            parts.append(
                f'<text x="{x_at(index):.1f}" y="{height - 8}" text-anchor="{anchor}" '
                f'fill="{MUTED}">{escape(labels[index])}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    description: str,
    chart_id: str = "chart",
    value_format: Formatter = _number,
) -> Markup:
    """Horizontal bars, one row per label (long labels stay readable on a phone: each label
    sits above its bar instead of beside it)."""
    if len(labels) != len(values):
        raise ValueError("labels and values must have the same length")
    row, left, right, top = 38, 8, 56, 8
    height = top * 2 + row * max(len(values), 1)
    top_value = nice_ceiling(max((abs(v) for v in values), default=0.0))
    bar_w = WIDTH - left - right
    parts = _open(chart_id, title, description, height)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + row * index
        width = max(bar_w * abs(value) / top_value, 1.0 if value else 0.0)
        parts.append(
            f'<text x="{left}" y="{y + 13}" fill="{INK}">{escape(_clip(label, 44))}</text>'
            f'<rect x="{left}" y="{y + 18}" width="{width:.1f}" height="12" rx="2" '
            f'fill="{ACCENT if value >= 0 else MUTED}"/>'
            f'<text x="{left + width + 6:.1f}" y="{y + 28}" fill="{MUTED}">'
            f"{escape(value_format(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "\u2026"
