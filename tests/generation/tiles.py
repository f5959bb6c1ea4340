"""A tiny fake file modality, "tiles": proof that generation sells files through the registry
alone. It trains like "echo" (tests/creation/echo.py) and answers a brief with small PNG tiles
and one SVG, watermarked reduced preview copies, and options under its own field "tiles"."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from tests.creation.echo import Echo, EchoConfig
from twinwork.ml import (
    GeneratedFile,
    GenerateRequest,
    Modality,
    register_modality,
    unregister_modality,
)

NAME = "tiles"
OPTIONS_FIELD = "tiles"
FULL_SIDE = 64
PREVIEW_SIDE = 16
WATERMARK = (128, 128, 128)
COLOURS = {"red": (200, 30, 40), "blue": (30, 60, 200), "green": (20, 160, 60)}


def png(side: int, colour: tuple[int, int, int], mark: bool = False) -> bytes:
    image = Image.new("RGB", (side, side), colour)
    if mark:  # the "watermark": a grey diagonal
        for i in range(side):
            image.putpixel((i, i), WATERMARK)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def svg(colours: Sequence[str]) -> bytes:
    rects = "".join(
        f'<rect x="{i * 10}" y="0" width="10" height="10" fill="{c}"/>'
        for i, c in enumerate(colours)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{len(colours) * 10}" height="10">'
        f"{rects}</svg>"
    ).encode()


def check_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """``{label, colours?}``: a label of at most 20 characters; colours from COLOURS."""
    unknown = sorted(set(options) - {"label", "colours"})
    if unknown:
        raise ValueError(f"Unknown tiles option(s) {', '.join(unknown)}: give label and colours.")
    label = options.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ValueError("Tiles need a label: a word or two to print on them.")
    if len(label) > 20:
        raise ValueError("Keep the tiles' label to 20 characters.")
    colours = options.get("colours", ["red", "blue"])
    if not isinstance(colours, list) or not colours or any(c not in COLOURS for c in colours):
        raise ValueError(f"Colours must be a list of {', '.join(COLOURS)}.")
    return {"label": label.strip(), "colours": list(colours)}


@dataclass
class Tiles(Echo):
    """Echo's training and evaluation; files for generation. Records what it was asked."""

    requests: list[GenerateRequest] = field(default_factory=list)

    def generate(self, request: GenerateRequest) -> str:
        label = request.options.get("label", "tiles")
        return f"{label}: {len(request.options.get('colours', []))} tiles and a strip"

    def generate_files(self, request: GenerateRequest) -> list[GeneratedFile]:
        self.requests.append(request)
        # Work ordered from a gig comes with the brief alone: one red tile, like a design
        # model reading what it needs from the brief.
        colours = list(request.options.get("colours", ["red"]))
        files = [
            GeneratedFile(f"tile-{name}.png", "image/png", png(FULL_SIDE, COLOURS[name]))
            for name in colours
        ]
        files.append(GeneratedFile("strip.svg", "image/svg+xml", svg(colours)))
        return files

    def preview_files(self, files: Sequence[GeneratedFile]) -> list[GeneratedFile]:
        previews = []
        for item in files:
            if item.media_type != "image/png":
                continue
            with Image.open(io.BytesIO(item.content)) as opened:
                colour = opened.convert("RGB").getpixel((FULL_SIDE // 2, 0))
            assert isinstance(colour, tuple)
            previews.append(
                GeneratedFile(
                    f"preview-{item.name}",
                    "image/png",
                    png(PREVIEW_SIDE, (colour[0], colour[1], colour[2]), mark=True),
                )
            )
        return previews


@contextmanager
def registered(options_field: str = OPTIONS_FIELD) -> Iterator[Tiles]:
    """The tiles modality in the registry for the duration of the block (its options under
    another field, to show that field's form)."""
    tiles = Tiles()
    register(tiles, options_field)
    try:
        yield tiles
    finally:
        unregister_modality(NAME)


def register(tiles: Tiles, options_field: str = OPTIONS_FIELD) -> Modality[EchoConfig]:
    return register_modality(
        name=NAME,
        label="Tiles",
        config_cls=EchoConfig,
        sample_kinds=("text",),
        min_samples=2,
        plan=tiles.plan,
        train=tiles.train,
        evaluate=tiles.evaluate,
        generate=tiles.generate,
        evict=tiles.evict,
        generate_files=tiles.generate_files,
        preview_files=tiles.preview_files,
        options_field=options_field,
        check_options=check_options,
        takes_attachments=True,
    )
