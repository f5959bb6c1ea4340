"""The neutral default style: what a design looks like before any personal learning.

It is the "base model" of this modality: evaluation compares the personal style against it,
and a freelancer without a trained model generates with it.
"""

from __future__ import annotations

from twinwork.ml.design.style import (
    Box,
    ElementStats,
    FontChoice,
    LayoutStats,
    PaletteColor,
    ShapeLanguage,
    Style,
)
from twinwork.ml.design.typography import DEFAULT_BODY_FONT, DEFAULT_HEADLINE_FONT

DEFAULT_STYLE_ID = "twinwork-design-default-1"
DEFAULT_HEADLINE_SCALE = 0.1
DEFAULT_BODY_SCALE = 0.045
DEFAULT_MARGIN = 0.08
DEFAULT_RADIUS = 0.15

DEFAULT_BOXES = {
    "logo": Box(0.42, 0.06, 0.16, 0.08),
    "headline": Box(0.1, 0.18, 0.8, 0.2),
    "body": Box(0.12, 0.42, 0.76, 0.14),
    "image": Box(0.1, 0.58, 0.8, 0.26),
    "cta": Box(0.35, 0.86, 0.3, 0.07),
}


def default_fonts() -> tuple[FontChoice, ...]:
    return (
        FontChoice("headline", "DejaVu Sans", 700, DEFAULT_HEADLINE_FONT, "default"),
        FontChoice("body", "DejaVu Sans", 400, DEFAULT_BODY_FONT, "default"),
        FontChoice("cta", "DejaVu Sans", 700, DEFAULT_HEADLINE_FONT, "default"),
    )


def default_style() -> Style:
    return Style(
        palette=(
            PaletteColor("#FFFFFF", "background", 0.7),
            PaletteColor("#1F2937", "primary", 0.12),
            PaletteColor("#2563EB", "accent", 0.06),
            PaletteColor("#111827", "text", 0.12),
        ),
        fonts=default_fonts(),
        layout=LayoutStats(
            elements={
                role: ElementStats(role, box, 1.0, (box,)) for role, box in DEFAULT_BOXES.items()
            },
            margin=DEFAULT_MARGIN,
            alignment="center",
            alignment_share={"left": 0.0, "center": 1.0, "right": 0.0},
            whitespace=0.5,
            contrast=15.0,
            headline_scale=DEFAULT_HEADLINE_SCALE,
            body_scale=DEFAULT_BODY_SCALE,
        ),
        shapes=ShapeLanguage(DEFAULT_RADIUS, "rounded"),
        designs=0,
    )
