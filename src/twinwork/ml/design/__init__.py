"""Personal design models: a learned style (palette, type, layout, shapes) and a layout
generator that sets a buyer's brief in the standard ad sizes as SVG + PNG.

No image-generation weights ship in any package, so the personal model is the style itself, a
small JSON file learned from the freelancer's own designs. Not registered in the modality table
yet: its outputs are files, which the registry's text-only ``generate`` cannot carry.
"""

from __future__ import annotations

from twinwork.ml.design.brief import (
    AD_SIZES,
    AdSize,
    BodyTooLong,
    Brief,
    CallToActionTooLong,
    HeadlineTooLong,
    TextDoesNotFit,
    ad_size,
)
from twinwork.ml.design.compose import BriefImageError
from twinwork.ml.design.config import MIN_DESIGNS, SAMPLE_KINDS, DesignPlan, plan_design
from twinwork.ml.design.defaults import DEFAULT_STYLE_ID, default_style
from twinwork.ml.design.evaluation import STANDARD_BRIEFS, evaluate_style
from twinwork.ml.design.generator import (
    GeneratedDesign,
    GeneratedFile,
    generate_designs,
    generate_files,
)
from twinwork.ml.design.learn import learn_style
from twinwork.ml.design.preview import style_picture, watermarked_preview
from twinwork.ml.design.reader import UnreadableDesign, read_design
from twinwork.ml.design.style import (
    Box,
    FontChoice,
    LayoutStats,
    Overrides,
    PaletteColor,
    ShapeLanguage,
    Style,
)

__all__ = [
    "AD_SIZES",
    "DEFAULT_STYLE_ID",
    "MIN_DESIGNS",
    "SAMPLE_KINDS",
    "STANDARD_BRIEFS",
    "AdSize",
    "BodyTooLong",
    "Box",
    "Brief",
    "BriefImageError",
    "CallToActionTooLong",
    "DesignPlan",
    "FontChoice",
    "GeneratedDesign",
    "GeneratedFile",
    "HeadlineTooLong",
    "LayoutStats",
    "Overrides",
    "PaletteColor",
    "ShapeLanguage",
    "Style",
    "TextDoesNotFit",
    "UnreadableDesign",
    "ad_size",
    "default_style",
    "evaluate_style",
    "generate_designs",
    "generate_files",
    "learn_style",
    "plan_design",
    "read_design",
    "style_picture",
    "watermarked_preview",
]
