"""From a brief to finished files: every requested ad size, several variants, SVG + PNG."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from twinwork.ml.design.brief import AD_SIZES, AdSize, Brief
from twinwork.ml.design.compose import compose
from twinwork.ml.design.composition import Composition
from twinwork.ml.design.render import render_png, render_svg
from twinwork.ml.design.style import Style

DEFAULT_VARIANTS = 3


@dataclass(frozen=True)
class GeneratedFile:
    name: str
    """``<width>x<height>-v<n>.<png|svg>``."""
    media_type: str
    content: bytes


@dataclass(frozen=True)
class GeneratedDesign:
    composition: Composition
    png: bytes
    svg: str

    @property
    def stem(self) -> str:
        return f"{self.composition.size.label}-v{self.composition.variant + 1}"

    def files(self) -> list[GeneratedFile]:
        return [
            GeneratedFile(f"{self.stem}.png", "image/png", self.png),
            GeneratedFile(f"{self.stem}.svg", "image/svg+xml", self.svg.encode("utf-8")),
        ]


def generate_designs(
    style: Style,
    brief: Brief,
    *,
    sizes: Sequence[AdSize] = AD_SIZES,
    variants: int = DEFAULT_VARIANTS,
    seed: int = 0,
) -> list[GeneratedDesign]:
    """Lay out every size first, so a brief that cannot fit one size fails before any
    rendering time is spent (raises ``TextDoesNotFit`` naming the size)."""
    if variants < 1:
        raise ValueError("at least one variant")
    compositions = [
        compose(style, brief, size, variant=v, seed=seed) for v in range(variants) for size in sizes
    ]
    return [GeneratedDesign(c, render_png(c), render_svg(c)) for c in compositions]


def generate_files(
    style: Style,
    brief: Brief,
    *,
    sizes: Sequence[AdSize] = AD_SIZES,
    variants: int = DEFAULT_VARIANTS,
    seed: int = 0,
) -> list[GeneratedFile]:
    """The files of every size and variant; the same seed gives byte-identical files."""
    return [
        f
        for design in generate_designs(style, brief, sizes=sizes, variants=variants, seed=seed)
        for f in design.files()
    ]
