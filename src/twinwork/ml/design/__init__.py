"""Personal design models: a learned style (palette, type, layout, shapes) and a layout
generator that sets a buyer's brief in the standard ad sizes as SVG + PNG.

No image-generation weights ship in any package, so the personal model is the style itself, a
small JSON file learned from the freelancer's own designs (``style.json``, with a picture of it,
``style.png``, in the artifact). Registers itself as the "design" modality on import: its work is
files (``generate_files``), previews are watermarked reduced PNGs (``preview_files``), and a
buyer's headline, body, call to action and sizes arrive as the "design" options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from twinwork.ml.design import entry
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
from twinwork.ml.design.compose import BriefImageError, compose
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
from twinwork.ml.registry import (
    EvaluateRequest,
    EvaluationResult,
    GenerateRequest,
    register_modality,
)
from twinwork.ml.registry import GeneratedFile as OutputFile

# ---- what the registry's callers see --------------------------------------------------------

PALETTE_JND = 2.0
"""CIEDE2000 units: about the smallest palette difference a person notices."""
LAYOUT_GAIN = 0.05
"""Mean IoU with the held-out designs' element boxes."""

HEADLINE_MAX_CHARS = 90
BODY_MAX_CHARS = 280
CTA_MAX_CHARS = 30
OPTION_KEYS = ("headline", "body", "call_to_action", "sizes")


def measurably_closer(metrics: Mapping[str, float]) -> bool:
    """The personal style is nearer the held-out designs than the default style, by at least
    a noticeable palette difference or a clear gain in layout overlap. A NaN (nothing to
    compare) is never closer."""
    palette_gain = metrics["base_palette_distance"] - metrics["personal_palette_distance"]
    layout_gain = metrics["personal_layout_similarity"] - metrics["base_layout_similarity"]
    return bool(palette_gain >= PALETTE_JND or layout_gain >= LAYOUT_GAIN)


def evaluate(request: EvaluateRequest[DesignPlan]) -> EvaluationResult:
    """The module's evaluation, plus ``closer_than_base`` (1 or 0): the domain refuses to
    approve a version that learned nothing of the freelancer's own style."""
    result = entry.evaluate(request)
    metrics = dict(result.metrics)
    metrics["closer_than_base"] = 1.0 if measurably_closer(metrics) else 0.0
    return EvaluationResult(metrics=metrics, outputs=result.outputs)


def _text(options: Mapping[str, Any], key: str, limit: int, name: str) -> str:
    value = options.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"The {name} must be text.")
    value = " ".join(value.split())
    if len(value) > limit:
        raise ValueError(
            f"The {name} is {len(value)} characters; keep it to {limit} characters at most."
        )
    return value


def check_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """A buyer's ``{headline, body, call_to_action, sizes?}``, normalised: every text trimmed,
    sizes as labels in the standard order (all five when none are named). Raises ValueError
    with what to change, before any charge: also when a text cannot be set legibly in one of
    the requested sizes, found by laying the brief out in the default style."""
    unknown = sorted(set(options) - set(OPTION_KEYS))
    if unknown:
        raise ValueError(
            f"Unknown design option(s) {', '.join(unknown)}: give headline, body, "
            "call_to_action and optionally sizes."
        )
    headline = _text(options, "headline", HEADLINE_MAX_CHARS, "headline")
    if not headline:
        raise ValueError("A design needs a headline: say in a few words what the ad announces.")
    body = _text(options, "body", BODY_MAX_CHARS, "body text")
    cta = _text(options, "call_to_action", CTA_MAX_CHARS, "call to action")
    labels = [s.label for s in AD_SIZES]
    requested = options.get("sizes")
    if requested is None:
        sizes = list(AD_SIZES)
    else:
        if isinstance(requested, str) or not isinstance(requested, Sequence) or not requested:
            raise ValueError(f"Sizes must be a non-empty list of {', '.join(labels)}.")
        wanted = set()
        for label in requested:
            if not isinstance(label, str) or label not in labels:
                raise ValueError(f"Unknown ad size {label!r}: choose from {', '.join(labels)}.")
            wanted.add(label)
        sizes = [s for s in AD_SIZES if s.label in wanted]
    brief = Brief(headline, body, cta)
    style = default_style()
    # Smallest first: the size a long text is likeliest not to fit names itself.
    for size in sorted(sizes, key=lambda s: s.width * s.height):
        compose(style, brief, size)
    return {
        "headline": headline,
        "body": body,
        "call_to_action": cta,
        "sizes": [s.label for s in sizes],
    }


def generate_files_for_request(request: GenerateRequest) -> list[OutputFile]:
    """Every requested size, three variants each, as PNG + SVG; the options are those
    ``check_options`` returned, the logo and photo the domain's checked attachments."""
    options = request.options
    brief = None
    if options.get("headline"):
        brief = Brief(
            str(options["headline"]),
            str(options.get("body") or ""),
            str(options.get("call_to_action") or ""),
            logo=request.attachments.get("logo"),
            photo=request.attachments.get("photo"),
        )
    sizes = [ad_size(label) for label in options.get("sizes") or ()] or list(AD_SIZES)
    files = entry.generate_files_for(request, brief, sizes=sizes)
    return [OutputFile(f.name, f.media_type, f.content) for f in files]


def caption(request: GenerateRequest) -> str:
    """The words that stand for the files (an order's delivery, the generation's text): what
    was designed and in which sizes, never the SVG source."""
    options = request.options
    headline = str(options.get("headline") or "") or Brief.from_text(request.brief).headline
    sizes = [ad_size(label) for label in options.get("sizes") or ()] or list(AD_SIZES)
    names = ", ".join(f"{size.name} {size.width}x{size.height}" for size in sizes)
    return (
        f"Ad designs for \u201c{headline}\u201d in {len(sizes)} "
        f"size{'s' if len(sizes) != 1 else ''} ({names}), each as PNG and SVG."
    )


def preview_files(files: Sequence[OutputFile]) -> list[OutputFile]:
    """A watermarked, reduced PNG of each design; the SVGs are left out (a vector file is the
    design itself, whatever its size)."""
    return [
        OutputFile(f"preview-{f.name}", "image/png", watermarked_preview(f.content))
        for f in files
        if f.media_type == "image/png"
    ]


register_modality(
    name="design",
    label="Design",
    config_cls=DesignPlan,
    sample_kinds=SAMPLE_KINDS,
    min_samples=MIN_DESIGNS,
    plan=entry.plan,
    train=entry.train,
    evaluate=evaluate,
    generate=caption,
    generate_files=generate_files_for_request,
    preview_files=preview_files,
    options_field="design",
    takes_attachments=True,
    check_options=check_options,
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
