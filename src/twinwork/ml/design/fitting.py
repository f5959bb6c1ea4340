"""Setting text in a box: wrap at word boundaries, shrink within bounds, or say it cannot.

Measurements come from the same font files the PNG is drawn with, and the SVG is written
from the lines and positions chosen here, so both formats break lines identically.
"""

from __future__ import annotations

from dataclasses import dataclass

from twinwork.ml.design.typography import load_font

LINE_SPACING = {"headline": 1.15, "body": 1.4, "cta": 1.2}
MIN_PX = {"headline": 16, "body": 11, "cta": 12}
"""Below these sizes an ad's text stops being legible at its usual viewing size."""


@dataclass(frozen=True)
class FittedText:
    lines: tuple[str, ...]
    px: int
    line_height: int
    ascent: int
    descent: int
    widths: tuple[int, ...]

    @property
    def height(self) -> int:
        return self.ascent + self.descent + self.line_height * (len(self.lines) - 1)

    @property
    def width(self) -> int:
        return max(self.widths)


def wrap(text: str, font_key: str, px: int, width: int) -> list[str] | None:
    """Greedy word wrap; None where a single word is wider than the box."""
    font = load_font(font_key, px)
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if font.getlength(word) > width:
            return None
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


def _set(text: str, font_key: str, px: int, width: int, spacing: float) -> FittedText | None:
    lines = wrap(text, font_key, px, width)
    if not lines:
        return None
    font = load_font(font_key, px)
    ascent, descent = font.getmetrics()
    return FittedText(
        lines=tuple(lines),
        px=px,
        line_height=max(int(round(px * spacing)), ascent + descent if len(lines) == 1 else 0),
        ascent=ascent,
        descent=descent,
        widths=tuple(int(round(font.getlength(line))) for line in lines),
    )


def fit_text(
    text: str,
    font_key: str,
    *,
    width: int,
    height: int,
    max_px: int,
    min_px: int,
    spacing: float,
    max_lines: int | None = None,
) -> FittedText | None:
    """The largest size in [min_px, max_px] at which the text fits the box; None if none."""

    def fits(px: int) -> FittedText | None:
        fitted = _set(text, font_key, px, width, spacing)
        if fitted is None or fitted.height > height or fitted.width > width:
            return None
        if max_lines is not None and len(fitted.lines) > max_lines:
            return None
        return fitted

    max_px = max(max_px, min_px)
    best = fits(min_px)
    if best is None:
        return None
    lo, hi = min_px, max_px
    # Fitting is monotone enough in size for a bisection; the result is re-checked anyway.
    while lo < hi:
        mid = (lo + hi + 1) // 2
        candidate = fits(mid)
        if candidate is not None:
            best, lo = candidate, mid
        else:
            hi = mid - 1
    return best


def max_chars(text: str, font_key: str, *, width: int, height: int, px: int, spacing: float) -> int:
    """About how many characters of this text fit the box at ``px``, for the error message."""
    font = load_font(font_key, px)
    per_char = font.getlength(text) / max(len(text), 1)
    ascent, descent = font.getmetrics()
    lines = max(0, 1 + (height - ascent - descent) // max(int(round(px * spacing)), 1))
    return int(lines * width / max(per_char, 1.0))
