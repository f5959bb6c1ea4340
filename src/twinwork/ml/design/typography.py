"""The bundled open fonts, and matching a design's type to them.

Fonts come from the operating system's packages, never from the network: DejaVu (Debian
``fonts-dejavu-core``, a free licence derived from Bitstream Vera) is the set measured against.
Where even that is missing, Pillow's built-in font stands in so rendering still works.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
)


@dataclass(frozen=True)
class FontFace:
    key: str
    family: str
    """The family name written into SVG."""
    weight: int
    file: str
    """File name looked up in ``FONT_DIRS``."""
    generic: str
    """The CSS generic family SVG viewers fall back to."""


FONTS: dict[str, FontFace] = {
    f.key: f
    for f in (
        FontFace("sans", "DejaVu Sans", 400, "DejaVuSans.ttf", "sans-serif"),
        FontFace("sans-bold", "DejaVu Sans", 700, "DejaVuSans-Bold.ttf", "sans-serif"),
        FontFace("sans-light", "DejaVu Sans", 200, "DejaVuSans-ExtraLight.ttf", "sans-serif"),
        FontFace(
            "condensed", "DejaVu Sans Condensed", 400, "DejaVuSansCondensed.ttf", "sans-serif"
        ),
        FontFace(
            "condensed-bold",
            "DejaVu Sans Condensed",
            700,
            "DejaVuSansCondensed-Bold.ttf",
            "sans-serif",
        ),
        FontFace("serif", "DejaVu Serif", 400, "DejaVuSerif.ttf", "serif"),
        FontFace("serif-bold", "DejaVu Serif", 700, "DejaVuSerif-Bold.ttf", "serif"),
        FontFace("mono", "DejaVu Sans Mono", 400, "DejaVuSansMono.ttf", "monospace"),
        FontFace("mono-bold", "DejaVu Sans Mono", 700, "DejaVuSansMono-Bold.ttf", "monospace"),
    )
}
DEFAULT_HEADLINE_FONT = "sans-bold"
DEFAULT_BODY_FONT = "sans"

FontType = ImageFont.FreeTypeFont


@functools.cache
def font_path(key: str) -> Path | None:
    name = FONTS[key].file
    for directory in FONT_DIRS:
        if (directory / name).is_file():
            return directory / name
    return None


def available_fonts() -> tuple[str, ...]:
    """Keys of the bundled fonts present on this machine."""
    return tuple(k for k in FONTS if font_path(k) is not None)


@functools.lru_cache(maxsize=512)
def load_font(key: str, size: int) -> FontType:
    path = font_path(key)
    if path is None:
        # Pillow's embedded font keeps rendering alive on a machine without the font package.
        fallback = ImageFont.load_default(size)
        if not isinstance(fallback, ImageFont.FreeTypeFont):
            raise RuntimeError("no bundled font and no FreeType: install fonts-dejavu-core")
        return fallback
    return ImageFont.truetype(str(path), size)


def match_family(family: str, weight: int) -> str:
    """The bundled font closest to a CSS ``font-family`` list and weight from an SVG."""
    text = family.lower()
    bold = weight >= 600
    if "mono" in text or "courier" in text or "code" in text:
        key = "mono"
    elif ("serif" in text and "sans" not in text) or any(
        name in text for name in ("times", "georgia", "garamond", "playfair", "merriweather")
    ):
        key = "serif"
    elif "condensed" in text or "narrow" in text or "oswald" in text or "bebas" in text:
        key = "condensed"
    else:
        key = "sans"
    if bold:
        key = f"{key}-bold"
    elif weight <= 300 and key == "sans":
        key = "sans-light"
    return key if key in FONTS else "sans"


# ---- raster: the closest bundled font by measured shape -----------------------------------

SAMPLE_TEXTS = (
    "Hamburgefonstiv",
    "Fresh ideas for your brand, made with care",
    "Grand Opening This Weekend",
)
"""A type specimen word, a line of copy and a title: measures depend on the letters as well as
the face, so each font is described by their average."""
RARE_FACE_PENALTY = 0.2


def glyph_features(ink: NDArray[np.bool_]) -> NDArray[np.float64] | None:
    """Shape measures of one line of text, independent of its size: x-height over ink height,
    stroke width over ink height, ink density, and mean advance per ink-height.

    ``ink`` is a boolean mask of the line's pixels (True = ink)."""
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    if rows.size < 6 or cols.size < 6:
        return None
    ink = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height = ink.shape[0]
    profile = ink.sum(axis=1).astype(np.float64)
    # The x-height band is where lower-case letters put most of their ink.
    x_band = float((profile >= 0.5 * profile.max()).sum()) / height
    # Horizontal runs of ink: their median length is the vertical stems' width.
    padded = np.pad(ink, ((0, 0), (1, 1))).astype(np.int8)
    edges = np.diff(padded, axis=1)
    starts = np.argwhere(edges == 1)
    ends = np.argwhere(edges == -1)
    if starts.size == 0:
        return None
    runs = ends[:, 1] - starts[:, 1]
    stroke = float(np.median(runs)) / height
    density = float(ink.mean())
    # Stems crossed along the middle of the x-height, per ink-height of width: condensed faces
    # pack more of them into the same width.
    band_rows = np.flatnonzero(profile >= 0.5 * profile.max())
    middle = int(band_rows[len(band_rows) // 2])
    stems = int((edges[middle] == 1).sum())
    stem_density = stems * height / ink.shape[1]
    # Stem density depends on the letters as well as the face, so it counts for less.
    # Serifs are feet: just above the baseline, ink runs are wider than the stems above them.
    foot = int(band_rows[-1]) - max(1, height // 30)
    feet = _mean_run(edges[foot]) / max(_mean_run(edges[middle]), 1.0)
    return np.array([x_band, stroke * 4, density, stem_density * 0.25, feet * 0.5])


def _mean_run(row_edges: NDArray[np.int8]) -> float:
    starts, ends = np.flatnonzero(row_edges == 1), np.flatnonzero(row_edges == -1)
    return float((ends - starts).mean()) if starts.size and starts.size == ends.size else 0.0


@functools.lru_cache(maxsize=64)
def _reference_features(ink_height: int) -> dict[str, NDArray[np.float64]]:
    """Shape measures of each bundled font, rendered at the size whose ink is as tall as the
    measured line, so that stroke widths round to pixels the same way on both sides."""
    features: dict[str, NDArray[np.float64]] = {}
    for key in available_fonts():
        # The sample's ink, ascender to descender, spans about 0.95 em.
        font = load_font(key, max(8, round(ink_height / 0.95)))
        samples = []
        for text in SAMPLE_TEXTS:
            left, top, right, bottom = font.getbbox(text)
            image = Image.new("L", (int(right) + 8, int(bottom) + 8), 0)
            ImageDraw.Draw(image).text((4, 4), text, font=font, fill=255)
            measured = glyph_features(np.asarray(image) > 127)
            if measured is not None:
                samples.append(measured)
        if samples:
            features[key] = np.mean(samples, axis=0)
    return features


def closest_font(ink: NDArray[np.bool_]) -> str | None:
    """The bundled font whose shape measures are nearest those of a line of text."""
    measured = glyph_features(ink)
    if measured is None:
        return None
    rows = np.flatnonzero(ink.any(axis=1))
    # Sizes are bucketed to even pixels so the cache stays small.
    references = _reference_features(int(rows[-1] - rows[0] + 1) // 2 * 2)
    if not references:
        return None

    def distance(key: str) -> float:
        # Monospaced faces are rare in ads: one wins only by a clear margin.
        prior = RARE_FACE_PENALTY if key.startswith("mono") else 0.0
        return float(np.abs(references[key] - measured).sum()) + prior

    return min(references, key=distance)
