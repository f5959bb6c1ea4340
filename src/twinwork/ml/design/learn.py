"""Learning a style from a freelancer's designs: palette, type, layout and shapes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from twinwork.ml.design.defaults import (
    DEFAULT_BODY_SCALE,
    DEFAULT_HEADLINE_SCALE,
    DEFAULT_MARGIN,
    DEFAULT_RADIUS,
    default_fonts,
    default_style,
)
from twinwork.ml.design.observation import DesignObservation, dominant_alignment
from twinwork.ml.design.palette import learn_palette
from twinwork.ml.design.style import (
    ALIGNMENTS,
    ELEMENT_ROLES,
    Box,
    ElementStats,
    FontChoice,
    LayoutStats,
    ShapeLanguage,
    Style,
)
from twinwork.ml.design.typography import FONTS

MAX_HEATMAP_BOXES = 200


def learn_style(
    observations: Sequence[DesignObservation],
    *,
    palette_size: int = 6,
    seed: int = 0,
    locked_colors: Mapping[str, str] | None = None,
    excluded: Sequence[str] = (),
) -> Style:
    if not observations:
        raise ValueError("a style needs at least one design")
    return Style(
        palette=learn_palette(observations, size=palette_size, seed=seed, locked=locked_colors),
        fonts=learn_fonts(observations),
        layout=learn_layout(observations),
        shapes=learn_shapes(observations),
        designs=len(observations),
        excluded=tuple(excluded),
    )


def learn_fonts(observations: Sequence[DesignObservation]) -> tuple[FontChoice, ...]:
    defaults = {f.role: f for f in default_fonts()}
    fonts: dict[str, FontChoice] = {}
    for role in ("headline", "body", "cta"):
        seen = [
            (e, obs.kind)
            for obs in observations
            for e in obs.elements
            if e.role == role and e.font is not None
        ]
        if not seen:
            continue
        key = Counter(e.font for e, _ in seen).most_common(1)[0][0]
        assert key is not None
        families = Counter(e.family for e, _ in seen if e.font == key and e.family)
        family = families.most_common(1)[0][0] if families else FONTS[key].family
        weights = Counter(e.weight for e, _ in seen if e.font == key and e.weight)
        weight = weights.most_common(1)[0][0] if weights else FONTS[key].weight
        svg = sum(1 for _, kind in seen if kind == "svg")
        source = "svg" if svg * 2 >= len(seen) else "measured"
        fonts[role] = FontChoice(role, family, int(weight), key, source)
    if "cta" not in fonts and "body" in fonts:
        # Buttons not seen: set them in the body's family, bold, as most designs do.
        body = fonts["body"]
        bold = (
            body.render_font if body.render_font.endswith("-bold") else f"{body.render_font}-bold"
        )
        key = bold if bold in FONTS else "sans-bold"
        fonts["cta"] = FontChoice("cta", body.family, 700, key, body.source)
    return tuple(fonts.get(role, defaults[role]) for role in ("headline", "body", "cta"))


def _median(values: list[float], default: float) -> float:
    return float(np.median(values)) if values else default


def learn_layout(observations: Sequence[DesignObservation]) -> LayoutStats:
    n = len(observations)
    defaults = default_style().layout
    elements: dict[str, ElementStats] = {}
    for role in ELEMENT_ROLES:
        boxes = [e.box for obs in observations for e in obs.elements if e.role == role]
        designs_with = sum(1 for obs in observations if obs.element(role) is not None)
        if not boxes:
            continue
        mean = Box(*(float(np.mean([getattr(b, k) for b in boxes])) for k in "xywh"))
        elements[role] = ElementStats(
            role=role,
            box=mean.rounded(),
            frequency=round(designs_with / n, 4),
            boxes=tuple(b.rounded() for b in boxes[:MAX_HEATMAP_BOXES]),
        )
    for role, stats in defaults.elements.items():
        # Roles never seen keep the default place (frequency 0 tells they were not learned).
        if role not in elements:
            elements[role] = ElementStats(role, stats.box, 0.0, ())
    margins: list[float] = []
    for obs in observations:
        if not obs.elements:
            continue
        short = min(obs.width, obs.height)
        margins.append(
            min(
                min(
                    e.box.x * obs.width,
                    e.box.y * obs.height,
                    (1 - e.box.x - e.box.w) * obs.width,
                    (1 - e.box.y - e.box.h) * obs.height,
                )
                for e in obs.elements
            )
            / short
        )
    alignments = Counter(
        a for a in (dominant_alignment(obs.elements) for obs in observations) if a is not None
    )
    total = sum(alignments.values())
    share = {a: round(alignments[a] / total, 4) if total else 0.0 for a in ALIGNMENTS}
    return LayoutStats(
        elements=elements,
        margin=round(min(max(_median(margins, DEFAULT_MARGIN), 0.0), 0.2), 4),
        alignment=max(ALIGNMENTS, key=lambda a: share[a]) if total else defaults.alignment,
        alignment_share=share if total else defaults.alignment_share,
        whitespace=round(float(np.mean([o.whitespace for o in observations])), 4),
        contrast=round(
            _median([o.contrast for o in observations if o.contrast is not None], 0.0), 3
        ),
        headline_scale=round(
            _median(_line_heights(observations, "headline"), DEFAULT_HEADLINE_SCALE), 4
        ),
        body_scale=round(_median(_line_heights(observations, "body"), DEFAULT_BODY_SCALE), 4),
    )


def _line_heights(observations: Sequence[DesignObservation], role: str) -> list[float]:
    return [
        e.line_height
        for obs in observations
        for e in obs.elements
        if e.role == role and e.line_height
    ]


def learn_shapes(observations: Sequence[DesignObservation]) -> ShapeLanguage:
    radii = [o.corner_radius for o in observations if o.corner_radius is not None]
    radius = _median(radii, DEFAULT_RADIUS)
    shape = "sharp" if radius < 0.05 else "pill" if radius >= 0.35 else "rounded"
    return ShapeLanguage(round(radius, 4), shape)
