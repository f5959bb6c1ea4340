"""One entry for every design file format: SVG is read as vector, the rest as raster."""

from __future__ import annotations

from twinwork.ml.design.observation import DesignObservation
from twinwork.ml.design.raster_reader import read_raster
from twinwork.ml.design.svg_reader import read_svg


class UnreadableDesign(ValueError):
    """A portfolio file that is neither an SVG nor an image Pillow can open."""


def is_svg(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head


def read_design(data: bytes) -> DesignObservation:
    try:
        return read_svg(data) if is_svg(data) else read_raster(data)
    except (OSError, ValueError) as exc:  # Pillow's UnidentifiedImageError is an OSError
        raise UnreadableDesign(f"not a readable PNG, JPEG, WebP or SVG design: {exc}") from exc
