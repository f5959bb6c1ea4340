"""Reading a design from a raster file (PNG, JPEG, WebP) by simple, robust image analysis.

No learned detector is available, so the reading leans on what ad designs share: a plain
background touching the border, text as compact clusters of one ink colour with many edges,
photos as regions of many colours, buttons as small solid boxes holding text. The layout is read
at a fixed small size (fast, and insensitive to resolution); type is measured at full size.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import deque
from dataclasses import dataclass
from io import BytesIO

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from twinwork.ml.design.color import contrast_ratio, to_hex
from twinwork.ml.design.observation import (
    ColorSample,
    DesignObservation,
    Element,
    dominant_alignment,
)
from twinwork.ml.design.style import Box
from twinwork.ml.design.typography import FONTS, closest_font

ANALYSIS_SIDE = 320
CELL = 4
"""Analysis grid cell, in pixels of the analysis image."""
CONTENT_DISTANCE = 48
"""Sum of RGB differences from the background beyond which a pixel is content."""
MAX_PIXELS = 60_000_000
"""Decompression bombs are refused before decoding."""

Pixels = NDArray[np.int16]


@dataclass(frozen=True)
class _Region:
    kind: str
    """"text", "image", "button", "panel" or "shape"."""
    box: tuple[int, int, int, int]
    """x0, y0, x1, y1 in analysis pixels."""
    color: str
    """Dominant ink colour (text) or fill (button, panel, shape)."""
    ink: str | None = None
    """Text colour on a button or panel."""
    line_px: float = 0.0
    background: str = "#FFFFFF"
    ink_share: float = 0.0
    """Share of the canvas in this region's ink (text) or fill (boxes)."""


def open_image(data: bytes, *, keep_alpha: bool = False) -> Image.Image:
    image: Image.Image = Image.open(BytesIO(data))
    # Opening reads only the header: refuse a decompression bomb before decoding it.
    if image.width * image.height > MAX_PIXELS:
        raise ValueError(f"image of {image.width}x{image.height} pixels is too large to read")
    image = ImageOps.exif_transpose(image)
    if keep_alpha:
        return image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "P"):
        # Transparent areas are read as white, as they show on most pages.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def read_raster(data: bytes) -> DesignObservation:
    full = open_image(data)
    width, height = full.size
    small = full.copy()
    small.thumbnail((ANALYSIS_SIDE, ANALYSIS_SIDE), Image.Resampling.BILINEAR)
    arr = np.asarray(small).astype(np.int16)
    h, w = arr.shape[:2]
    bg = _border_color(arr)
    regions = _regions(arr, bg, (0, 0, w, h))
    min_side = min(w, h)

    def norm(box: tuple[int, int, int, int]) -> Box:
        x0, y0, x1, y1 = box
        return Box(x0 / w, y0 / h, (x1 - x0) / w, (y1 - y0) / h)

    elements: list[Element] = []
    texts = sorted((r for r in regions if r.kind == "text"), key=lambda r: (-r.line_px, r.box[1]))
    hints: dict[str, tuple[str, float]] = {}
    contrast: float | None = None
    # Thin strokes never reach their true colour at the analysis size: read ink at full size.
    texts = [dataclasses.replace(r, color=_full_ink(full, norm(r.box), r)) for r in texts]
    if texts:
        head = texts[0]
        elements.append(_text_element(full, "headline", head, norm(head.box), min_side))
        hints["headline"] = (head.color, head.ink_share)
        contrast = contrast_ratio(head.color, head.background)
    bodies = texts[1:]
    if bodies:
        x0 = min(r.box[0] for r in bodies)
        y0 = min(r.box[1] for r in bodies)
        x1 = max(r.box[2] for r in bodies)
        y1 = max(r.box[3] for r in bodies)
        # The body's several paragraphs are one element of the layout.
        main = max(bodies, key=lambda r: (r.box[2] - r.box[0]) * (r.box[3] - r.box[1]))
        body = _Region("text", (x0, y0, x1, y1), main.color, None, main.line_px, main.background)
        elements.append(_text_element(full, "body", body, norm(body.box), min_side))
        hints["text"] = (main.color, sum(r.ink_share for r in bodies))
        contrast = contrast_ratio(main.color, main.background)
    buttons = [r for r in regions if r.kind == "button"]
    if not buttons:
        # At small analysis sizes a button's label can blur into its fill: a small, wide,
        # solid box is still the call to action.
        buttons = [
            r
            for r in regions
            if r.kind == "shape"
            and (r.box[2] - r.box[0]) >= 1.8 * (r.box[3] - r.box[1])
            and norm(r.box).area < 0.05
        ][:1]
    for r in buttons:
        x0, y0, x1, y1 = r.box
        wide = (x1 - x0) >= 1.8 * (y1 - y0)
        role = "cta" if wide and not any(e.role == "cta" for e in elements) else "logo"
        elements.append(Element(role=role, box=norm(r.box), color=r.color, align=None))
        if role == "cta":
            hints["accent"] = (r.color, r.ink_share)
    images = sorted(
        (r for r in regions if r.kind == "image"),
        key=lambda r: -(r.box[2] - r.box[0]) * (r.box[3] - r.box[1]),
    )
    for i, r in enumerate(images):
        box = norm(r.box)
        role = "image" if i == 0 and box.area >= 0.05 else "logo"
        if role == "logo" and any(e.role == "logo" for e in elements):
            continue
        elements.append(Element(role=role, box=box))

    hints["background"] = (to_hex(bg), 0.0)
    colors = _palette(arr, images, hints)
    content = np.abs(arr - bg).sum(axis=2) > CONTENT_DISTANCE
    align = dominant_alignment(elements)
    elements = [
        Element(e.role, e.box, e.color, align, e.line_height, e.font, e.family, e.weight)
        if e.role in ("headline", "body", "cta")
        else e
        for e in elements
    ]
    return DesignObservation(
        kind="raster",
        width=width,
        height=height,
        colors=tuple(colors),
        elements=tuple(elements),
        whitespace=float(1.0 - content.mean()),
        contrast=contrast,
        corner_radius=None,
    )


def _border_color(arr: Pixels) -> NDArray[np.float64]:
    border = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
    keys = border // 16
    packed = keys[:, 0] * 256 + keys[:, 1] * 16 + keys[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    mode = values[np.argmax(counts)]
    mean: NDArray[np.float64] = border[packed == mode].mean(axis=0)
    return mean


def _dominant(pixels: Pixels) -> tuple[NDArray[np.float64], float]:
    """The most common colour among pixels (to 1/8 of the range) and its share."""
    keys = pixels // 32
    packed = keys[:, 0] * 64 + keys[:, 1] * 8 + keys[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    mode = values[np.argmax(counts)]
    chosen = packed == mode
    color: NDArray[np.float64] = pixels[chosen].mean(axis=0)
    return color, float(chosen.mean())


def _ink(pixels: Pixels, bg: NDArray[np.float64]) -> NDArray[np.float64]:
    """The ink colour of text: the commonest colour among the pixels farthest from the ground
    (the cores of strokes, not their blended edges)."""
    distance = np.abs(pixels - bg).sum(axis=1)
    core = pixels[distance >= 0.7 * distance.max()]
    color, _ = _dominant(core if len(core) else pixels)
    return color


def _ramp_share(pixels: Pixels, start: NDArray[np.float64], end: NDArray[np.float64]) -> float:
    """Share of pixels within a small distance of the RGB segment from start to end."""
    axis = end - start
    length = float(axis @ axis)
    if length == 0:
        return 1.0
    t = np.clip(((pixels - start) @ axis) / length, 0.0, 1.0)
    residual = np.linalg.norm(pixels - (start + t[:, None] * axis), axis=1)
    return float((residual < 40).mean())


def _label(mask: NDArray[np.bool_]) -> list[list[tuple[int, int]]]:
    """4-connected components of a small boolean grid."""
    seen = np.zeros_like(mask)
    components: list[list[tuple[int, int]]] = []
    rows, cols = mask.shape
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        seen[start] = True
        queue = deque([(int(start[0]), int(start[1]))])
        cells: list[tuple[int, int]] = []
        while queue:
            r, c = queue.popleft()
            cells.append((r, c))
            for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= nr < rows and 0 <= nc < cols and mask[nr, nc] and not seen[nr, nc]:
                    seen[nr, nc] = True
                    queue.append((nr, nc))
        components.append(cells)
    return components


def _regions(
    arr: Pixels, bg: NDArray[np.float64], area: tuple[int, int, int, int], depth: int = 0
) -> list[_Region]:
    ax0, ay0, ax1, ay1 = area
    part = arr[ay0:ay1, ax0:ax1]
    h, w = part.shape[:2]
    content = np.abs(part - bg).sum(axis=2) > CONTENT_DISTANCE
    ch, cw = h // CELL, w // CELL
    if ch < 2 or cw < 2:
        return []
    cells = content[: ch * CELL, : cw * CELL].reshape(ch, CELL, cw, CELL).mean(axis=(1, 3)) > 0.04
    # Join letters into words and words into lines (two cells across), lines into paragraphs
    # (one cell down), so that a block of text is one region.
    grown = cells.copy()
    grown[:, 1:] |= cells[:, :-1]
    grown[:, :-1] |= cells[:, 1:]
    grown[:, 2:] |= cells[:, :-2]
    grown[1:, :] |= cells[:-1, :]
    canvas_area = arr.shape[0] * arr.shape[1]
    bg_hex = to_hex(bg)
    regions: list[_Region] = []
    for component in _label(grown):
        rs = [r for r, _ in component]
        cs = [c for _, c in component]
        x0, y0 = min(cs) * CELL, min(rs) * CELL
        x1, y1 = min((max(cs) + 1) * CELL, w), min((max(rs) + 1) * CELL, h)
        mask = content[y0:y1, x0:x1]
        count = int(mask.sum())
        if count < 12:
            continue
        # Growing joined the letters; the region itself ends where its content does.
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        x0, x1 = x0 + int(cols[0]), x0 + int(cols[-1]) + 1
        y0, y1 = y0 + int(rows[0]), y0 + int(rows[-1]) + 1
        mask = content[y0:y1, x0:x1]
        pixels = part[y0:y1, x0:x1][mask]
        dom, _ = _dominant(pixels)
        fill_share = count / mask.size
        box = (ax0 + x0, ay0 + y0, ax0 + x1, ay0 + y1)
        if fill_share < 0.6:
            # Text, drawn or anti-aliased, is one ink colour blended into the ground: its
            # pixels lie on the line between the two. A photo's spread through colour space.
            ink = _ink(pixels, bg)
            if _ramp_share(pixels, bg, ink) < 0.75:
                regions.append(_Region("image", box, to_hex(dom), background=bg_hex))
            else:
                share = count / canvas_area
                regions.append(
                    _Region("text", box, to_hex(ink), None, _line_px(mask), bg_hex, share)
                )
            continue
        solid = float((np.abs(pixels - dom).sum(axis=1) < 45).mean())
        if solid < 0.5:
            # Filled but not with one colour: a photo or illustration.
            regions.append(_Region("image", box, to_hex(dom), background=bg_hex))
            continue
        region_area = (x1 - x0) * (y1 - y0)
        inner = mask & (np.abs(part[y0:y1, x0:x1] - dom).sum(axis=2) > 2 * CONTENT_DISTANCE)
        if inner.mean() < 0.03:
            regions.append(_Region("shape", box, to_hex(dom), background=bg_hex))
        elif region_area < 0.1 * canvas_area or depth > 0:
            ink, _ = _dominant(part[y0:y1, x0:x1][inner])
            regions.append(
                _Region("button", box, to_hex(dom), to_hex(ink), 0.0, bg_hex, count / canvas_area)
            )
        else:
            # A coloured panel holding its own text: read inside it against its colour.
            regions.append(_Region("panel", box, to_hex(dom), background=bg_hex))
            regions.extend(_regions(arr, dom, box, depth + 1))
    return _merge_lines(regions)


def _merge_lines(regions: list[_Region]) -> list[_Region]:
    """Join text regions that are lines of one block: stacked within about a line's height,
    overlapping across, in the same ink and at a similar size."""
    texts = [r for r in regions if r.kind == "text"]
    others = [r for r in regions if r.kind != "text"]
    merged = True
    while merged:
        merged = False
        for a, b in itertools.combinations(texts, 2):
            if _same_block(a, b):
                top = a if a.box[1] <= b.box[1] else b
                box = (
                    min(a.box[0], b.box[0]),
                    min(a.box[1], b.box[1]),
                    max(a.box[2], b.box[2]),
                    max(a.box[3], b.box[3]),
                )
                join = dataclasses.replace(
                    top,
                    box=box,
                    line_px=max(a.line_px, b.line_px),
                    ink_share=a.ink_share + b.ink_share,
                )
                texts = [t for t in texts if t is not a and t is not b] + [join]
                merged = True
                break
    return others + sorted(texts, key=lambda r: r.box[1])


def _same_block(a: _Region, b: _Region) -> bool:
    top, bottom = (a, b) if a.box[1] <= b.box[1] else (b, a)
    gap = bottom.box[1] - top.box[3]
    across = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
    size = max(a.line_px, b.line_px) / max(min(a.line_px, b.line_px), 1e-6)
    ink = sum(abs(int(a.color[i : i + 2], 16) - int(b.color[i : i + 2], 16)) for i in (1, 3, 5))
    return gap <= max(a.line_px, b.line_px) and across > 0 and size < 1.4 and ink < 90


def _line_px(mask: NDArray[np.bool_]) -> float:
    """Median height of the text lines in a region's ink mask, as a line height (ink height
    is about three quarters of a line's height)."""
    rows = mask.any(axis=1).astype(np.int8)
    edges = np.diff(np.concatenate([[0], rows, [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if starts.size == 0:
        return 0.0
    heights = ends - starts
    return float(np.median(heights)) / 0.75


def _text_element(
    full: Image.Image,
    role: str,
    region: _Region,
    box: Box,
    min_side: int,
) -> Element:
    font = _measure_font(full, box, region)
    face = FONTS[font] if font else None
    return Element(
        role=role,
        box=box,
        color=region.color,
        line_height=region.line_px / min_side,
        font=font,
        family=face.family if face else None,
        weight=face.weight if face else None,
    )


def _full_ink(full: Image.Image, box: Box, region: _Region) -> str:
    width, height = full.size
    crop = full.crop(
        (
            int(box.x * width),
            int(box.y * height),
            int((box.x + box.w) * width),
            int((box.y + box.h) * height),
        )
    )
    crop.thumbnail((1200, 1200))
    pixels = np.asarray(crop).astype(np.int16).reshape(-1, 3)
    bg = np.array([int(region.background[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)
    return to_hex(_ink(pixels, bg)) if len(pixels) else region.color


def _measure_font(full: Image.Image, box: Box, region: _Region) -> str | None:
    """The closest bundled font to the region's first full-size line of text."""
    width, height = full.size
    scale = min(1.0, 1600 / max(width, height))
    crop = full.crop(
        (
            int(box.x * width),
            int(box.y * height),
            int((box.x + box.w) * width),
            int((box.y + box.h) * height),
        )
    )
    if scale < 1.0:
        crop = crop.resize((max(1, int(crop.width * scale)), max(1, int(crop.height * scale))))
    pixels = np.asarray(crop).astype(np.int16)
    ink_rgb = np.array([int(region.color[i : i + 2], 16) for i in (1, 3, 5)])
    bg_rgb = np.array([int(region.background[i : i + 2], 16) for i in (1, 3, 5)])
    ink = np.abs(pixels - ink_rgb).sum(axis=2) < np.abs(pixels - bg_rgb).sum(axis=2)
    rows = ink.any(axis=1).astype(np.int8)
    edges = np.diff(np.concatenate([[0], rows, [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if starts.size == 0:
        return None
    tallest = int(np.argmax(ends - starts))
    return closest_font(ink[starts[tallest] : ends[tallest]])


def _palette(
    arr: Pixels, images: list[_Region], hints: dict[str, tuple[str, float]]
) -> list[ColorSample]:
    """The design's colours by area, photos left out (a photo is the brief's, not the
    designer's palette), plus the exact colour of each role seen (text ink is too thin to
    survive quantisation at its true colour)."""
    keep = np.ones(arr.shape[:2], dtype=bool)
    for r in images:
        x0, y0, x1, y1 = r.box
        keep[y0:y1, x0:x1] = False
    pixels = arr[keep] if keep.any() else arr.reshape(-1, 3)
    strip = Image.fromarray(pixels.reshape(1, -1, 3).astype(np.uint8), "RGB")
    quantized = strip.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    counts = np.bincount(np.asarray(quantized).ravel(), minlength=8)
    total = counts.sum()
    samples = [
        ColorSample(to_hex(np.array(palette[i * 3 : i * 3 + 3])), float(count / total))
        for i, count in enumerate(counts)
        if count
    ]
    samples += [
        ColorSample(hex_, max(weight, 0.002), role) for role, (hex_, weight) in hints.items()
    ]
    return samples
