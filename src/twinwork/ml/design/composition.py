"""A rendered design as plain data: the one layout both the PNG and the SVG are drawn from."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from twinwork.ml.design.brief import AdSize


@dataclass(frozen=True)
class PxBox:
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def intersection(self, other: PxBox) -> int:
        w = min(self.right, other.right) - max(self.x, other.x)
        h = min(self.bottom, other.bottom) - max(self.y, other.y)
        return max(w, 0) * max(h, 0)

    def inside(self, other: PxBox) -> bool:
        return (
            self.x >= other.x
            and self.y >= other.y
            and self.right <= other.right
            and self.bottom <= other.bottom
        )


@dataclass(frozen=True)
class TextBlock:
    role: str
    box: PxBox
    """The block of lines, from the first line's ascent to the last line's descent."""
    lines: tuple[str, ...]
    baselines: tuple[tuple[int, int], ...]
    """(x, y) of each line's left end on its baseline."""
    font_key: str
    family: str
    generic: str
    weight: int
    px: int
    color: str
    background: str
    """The colour directly behind the text, for its contrast."""


@dataclass(frozen=True)
class RectBlock:
    role: str
    box: PxBox
    fill: str
    radius: int


@dataclass(frozen=True)
class PictureBlock:
    role: str
    box: PxBox
    image: Image.Image
    """Already fitted to ``box``; RGBA where it has transparency."""
    radius: int


Block = TextBlock | RectBlock | PictureBlock


@dataclass(frozen=True)
class Composition:
    size: AdSize
    background: str
    blocks: tuple[Block, ...]
    variant: int
    scheme: str
    """"light" (the style's background) or "inverted" (its primary colour as background)."""
    omitted: tuple[str, ...] = ()
    """Optional texts left out because the size has no room (body text on a leaderboard)."""

    def texts(self) -> list[TextBlock]:
        return [b for b in self.blocks if isinstance(b, TextBlock)]

    def layout_boxes(self) -> dict[str, PxBox]:
        """One box per element of the layout; a button and its label are one element."""
        boxes: dict[str, PxBox] = {}
        for block in self.blocks:
            if block.role not in boxes:
                boxes[block.role] = block.box
        return boxes
