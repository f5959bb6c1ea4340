"""What one design file tells about its author's style, before any averaging.

Both readers (``svg_reader`` for vector files, ``raster_reader`` for PNG/JPEG/WebP) produce a
``DesignObservation``; the style learner and the evaluation only ever read these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twinwork.ml.design.style import ALIGNMENTS, Box


@dataclass(frozen=True)
class ColorSample:
    hex: str
    weight: float
    """Share of the canvas (or of text ink) in this colour."""
    hint: str | None = None
    """What the colour was seen doing: "background", "text", "headline", "accent"."""


@dataclass(frozen=True)
class Element:
    role: str
    """"headline", "body", "image", "logo" or "cta"."""
    box: Box
    color: str | None = None
    """Text colour for text, fill for a call-to-action button."""
    align: str | None = None
    line_height: float | None = None
    """Text line height as a share of the canvas's shorter side."""
    font: str | None = None
    """Key of the closest bundled font."""
    family: str | None = None
    weight: int | None = None


@dataclass(frozen=True)
class DesignObservation:
    kind: str
    """"svg" or "raster"."""
    width: int
    height: int
    colors: tuple[ColorSample, ...]
    elements: tuple[Element, ...]
    whitespace: float
    contrast: float | None
    """WCAG contrast of the body (or else headline) text on its background."""
    corner_radius: float | None
    """Median corner radius of boxes as a share of their shorter side; None: no boxes seen."""

    def element(self, role: str) -> Element | None:
        return next((e for e in self.elements if e.role == role), None)

    def palette(self) -> list[tuple[str, float]]:
        return [(c.hex, c.weight) for c in self.colors]

    @property
    def aspect(self) -> float:
        return self.width / self.height


def dominant_alignment(elements: tuple[Element, ...] | list[Element]) -> str | None:
    """Left, centre or right: whichever edge the text boxes share most closely."""
    texts = [e for e in elements if e.role in ("headline", "body", "cta")]
    declared = [e.align for e in texts if e.align in ALIGNMENTS]
    if declared:
        return max(ALIGNMENTS, key=declared.count)
    if not texts:
        return None
    if len(texts) == 1:
        box = texts[0].box
        if abs(box.cx - 0.5) < 0.05:
            return "center"
        return "left" if box.x < 1 - (box.x + box.w) else "right"
    spreads = {
        "left": float(np.std([e.box.x for e in texts])),
        "center": float(np.std([e.box.cx for e in texts])),
        "right": float(np.std([e.box.x + e.box.w for e in texts])),
    }
    return min(ALIGNMENTS, key=lambda a: spreads[a])


def covered_share(boxes: list[Box], grid: int = 64) -> float:
    """Share of the canvas covered by the union of boxes (on a coarse grid)."""
    mask = np.zeros((grid, grid), dtype=bool)
    for b in boxes:
        x0, y0 = int(max(b.x, 0) * grid), int(max(b.y, 0) * grid)
        x1 = int(np.ceil(min(b.x + b.w, 1) * grid))
        y1 = int(np.ceil(min(b.y + b.h, 1) * grid))
        mask[y0:y1, x0:x1] = True
    return float(mask.mean())
