"""Evaluating a personal style on held-out designs, against the neutral default style.

Two families of numbers:
- closeness to the freelancer's held-out work (lower palette distance, higher layout
  similarity is better): designs generated from the standard briefs are compared with each
  held-out design, for the personal and for the default style;
- layout quality, as used in the layout-generation literature (LayoutGAN++, Kikuchi et al.
  2021; Li et al. 2019): overlap, alignment, validity, plus text readability as the minimum
  WCAG contrast of any text on what is behind it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

import numpy as np
from PIL import Image, ImageDraw

from twinwork.ml.design.brief import AD_SIZES, AdSize, Brief
from twinwork.ml.design.color import contrast_ratio, palette_distance
from twinwork.ml.design.compose import AA_CONTRAST, compose
from twinwork.ml.design.composition import Composition, PictureBlock, PxBox, TextBlock
from twinwork.ml.design.observation import DesignObservation
from twinwork.ml.design.render import render_svg
from twinwork.ml.design.style import TEXT_ROLES, Box, Style


def _sample_picture(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    """A plain, deterministic stand-in photo or logo, so briefs exercise those places."""
    image = Image.new("RGB", size, (200, 200, 200))
    draw = ImageDraw.Draw(image)
    for i in range(0, size[0], 8):
        shade = 120 + (i * 97) % 120
        draw.line((i, 0, i - size[1], size[1]), fill=(shade, shade - 20, shade - 40), width=6)
    draw.ellipse((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=color)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


STANDARD_BRIEFS: tuple[Brief, ...] = (
    Brief(
        "Summer sale ends Sunday",
        "Up to 40% off every collection, in store and online, while stocks last.",
        "Shop the sale",
        photo=_sample_picture((480, 360), (60, 90, 140)),
    ),
    Brief(
        "Learn to design in one weekend",
        "A two-day hands-on workshop for beginners. Small groups, real projects.",
        "Book a seat",
    ),
    Brief(
        "Fresh coffee, roasted daily",
        "Single-origin beans from small farms, delivered to your door every week.",
        "Start a plan",
        logo=_sample_picture((240, 240), (30, 30, 30)),
    ),
)


@dataclass(frozen=True)
class LayoutQuality:
    overlap: float
    overlapping_text_boxes: int
    alignment: float
    validity: float
    min_contrast: float
    aa_share: float


def composition_palette(composition: Composition) -> list[tuple[str, float]]:
    """The design's colours by area; photos and logos are the brief's, not the style's."""
    total = composition.size.width * composition.size.height
    covered = 0
    colors: list[tuple[str, float]] = []
    for block in composition.blocks:
        area = block.box.w * block.box.h
        if isinstance(block, TextBlock):
            colors.append((block.color, 0.25 * area / total))
        elif isinstance(block, PictureBlock):
            covered += area
        else:
            covered += area
            colors.append((block.fill, area / total))
    colors.append((composition.background, max(total - covered, 0) / total))
    return colors


def composition_boxes(composition: Composition) -> dict[str, Box]:
    w, h = composition.size.width, composition.size.height
    return {
        role: Box(b.x / w, b.y / h, b.w / w, b.h / h)
        for role, b in composition.layout_boxes().items()
    }


def layout_similarity(observation: DesignObservation, composition: Composition) -> float:
    """Mean IoU, over the elements of the held-out design, with the same element of the
    generated one (zero where it has none). Elements only the brief brought (its logo) do not
    count: the designer's placements are what is measured."""
    generated = composition_boxes(composition)
    seen = {e.role: e.box for e in observation.elements}
    if not seen:
        return 0.0
    return float(
        np.mean([box.iou(generated[r]) if r in generated else 0.0 for r, box in seen.items()])
    )


def layout_quality(composition: Composition) -> LayoutQuality:
    canvas = PxBox(0, 0, composition.size.width, composition.size.height)
    elements = list(composition.layout_boxes().items())
    overlap = 0.0
    text_overlaps = 0
    pairs = list(itertools.combinations(elements, 2))
    for (role_a, a), (role_b, b) in pairs:
        inter = a.intersection(b)
        if inter:
            overlap += inter / max(min(a.w * a.h, b.w * b.h), 1)
            if role_a in TEXT_ROLES or role_b in TEXT_ROLES:
                text_overlaps += 1
    # Within each element, the text must stay inside its own box too (the button's label).
    for block in composition.texts():
        container = composition.layout_boxes()[block.role]
        if not block.box.inside(container):
            text_overlaps += 1
    alignment = 0.0
    if len(elements) > 1:
        w, h = canvas.w, canvas.h
        for i, (_, a) in enumerate(elements):
            best = 1.0
            for j, (_, b) in enumerate(elements):
                if i == j:
                    continue
                xs = (
                    min(
                        abs(a.x - b.x),
                        abs(a.right - b.right),
                        abs((a.x + a.right) - (b.x + b.right)) / 2,
                    )
                    / w
                )
                ys = (
                    min(
                        abs(a.y - b.y),
                        abs(a.bottom - b.bottom),
                        abs((a.y + a.bottom) - (b.y + b.bottom)) / 2,
                    )
                    / h
                )
                best = min(best, xs, ys)
            alignment += best
        alignment /= len(elements)
    valid = [b.inside(canvas) and b.w * b.h >= 0.0005 * canvas.w * canvas.h for _, b in elements]
    contrasts = [contrast_ratio(t.color, t.background) for t in composition.texts()]
    return LayoutQuality(
        overlap=overlap / max(len(pairs), 1),
        overlapping_text_boxes=text_overlaps,
        alignment=alignment,
        validity=float(np.mean(valid)) if valid else 0.0,
        min_contrast=min(contrasts) if contrasts else 21.0,
        aa_share=float(np.mean([c >= AA_CONTRAST for c in contrasts])) if contrasts else 1.0,
    )


def _closest_size(aspect: float) -> AdSize:
    # Compare in log space: 2:1 is as far from square as 1:2.
    return min(AD_SIZES, key=lambda s: abs(np.log(s.aspect) - np.log(aspect)))


@dataclass(frozen=True)
class StyleScores:
    palette_distance: float
    layout_similarity: float
    quality: list[LayoutQuality]


def _score(
    style: Style, heldout: Sequence[DesignObservation], briefs: Sequence[Brief], seed: int
) -> StyleScores:
    distances: list[float] = []
    similarities: list[float] = []
    for obs in heldout:
        size = _closest_size(obs.aspect)
        for brief in briefs:
            composition = compose(style, brief, size, variant=0, seed=seed)
            distances.append(palette_distance(obs.palette(), composition_palette(composition)))
            similarities.append(layout_similarity(obs, composition))
    quality = [
        layout_quality(compose(style, brief, size, variant=v, seed=seed))
        for brief in briefs
        for size in AD_SIZES
        for v in range(2)
    ]
    return StyleScores(
        palette_distance=float(np.mean(distances)) if distances else float("nan"),
        layout_similarity=float(np.mean(similarities)) if similarities else float("nan"),
        quality=quality,
    )


def evaluate_style(
    personal: Style,
    base: Style,
    heldout: Sequence[DesignObservation],
    *,
    briefs: Sequence[Brief] = STANDARD_BRIEFS,
    seed: int = 0,
) -> tuple[dict[str, float], list[dict[str, str]]]:
    """Metrics (``base_*`` and ``personal_*``, plus the personal model's quality under the
    plain names) and, per brief, the base's and the personal square design as SVG."""
    metrics: dict[str, float] = {"heldout_designs": float(len(heldout))}
    for name, style in (("base", base), ("personal", personal)):
        scores = _score(style, heldout, briefs, seed)
        q = scores.quality
        metrics[f"{name}_palette_distance"] = round(scores.palette_distance, 4)
        metrics[f"{name}_layout_similarity"] = round(scores.layout_similarity, 4)
        metrics[f"{name}_layout_overlap"] = round(float(np.mean([x.overlap for x in q])), 6)
        metrics[f"{name}_overlapping_text_boxes"] = float(sum(x.overlapping_text_boxes for x in q))
        metrics[f"{name}_layout_alignment"] = round(float(np.mean([x.alignment for x in q])), 6)
        metrics[f"{name}_layout_validity"] = round(float(np.mean([x.validity for x in q])), 4)
        metrics[f"{name}_min_contrast_ratio"] = round(min(x.min_contrast for x in q), 3)
        metrics[f"{name}_aa_contrast_share"] = round(float(np.mean([x.aa_share for x in q])), 4)
        metrics["generated_designs"] = float(len(q))
    for plain in (
        "layout_overlap",
        "overlapping_text_boxes",
        "layout_alignment",
        "layout_validity",
        "min_contrast_ratio",
        "aa_contrast_share",
    ):
        metrics[plain] = metrics[f"personal_{plain}"]
    outputs = [
        {
            "brief": brief.headline,
            "base": render_svg(compose(base, brief, AD_SIZES[0], seed=seed)),
            "personal": render_svg(compose(personal, brief, AD_SIZES[0], seed=seed)),
        }
        for brief in briefs
    ]
    return metrics, outputs
