"""The learned style: a JSON-able description of how a freelancer designs.

This is the whole "personal design model": the generator reads nothing else. It is small on
purpose, so a freelancer can read it (the API returns it as is) and correct it (lock a colour).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinwork.ml.design.color import parse_hex, to_hex

STYLE_FILE = "style.json"
STYLE_VERSION = 1

ROLES = ("background", "primary", "accent", "text")
"""Palette roles every style fills; further colours are "secondary"."""
ELEMENT_ROLES = ("headline", "body", "image", "logo", "cta")
TEXT_ROLES = ("headline", "body", "cta")
ALIGNMENTS = ("left", "center", "right")


@dataclass(frozen=True)
class Box:
    """A box in coordinates normalised to the canvas (0..1 on both axes)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def area(self) -> float:
        return max(self.w, 0.0) * max(self.h, 0.0)

    def intersection(self, other: Box) -> float:
        w = min(self.x + self.w, other.x + other.w) - max(self.x, other.x)
        h = min(self.y + self.h, other.y + other.h) - max(self.y, other.y)
        return max(w, 0.0) * max(h, 0.0)

    def iou(self, other: Box) -> float:
        inter = self.intersection(other)
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def rounded(self) -> Box:
        return Box(round(self.x, 4), round(self.y, 4), round(self.w, 4), round(self.h, 4))


@dataclass(frozen=True)
class PaletteColor:
    hex: str
    role: str
    """One of ``ROLES``, or "secondary"."""
    weight: float
    """Share of the designs' area in this colour cluster (0..1)."""
    locked: bool = False
    """Set by the freelancer, not learned."""


@dataclass(frozen=True)
class FontChoice:
    role: str
    """"headline", "body" or "cta"."""
    family: str
    """The family the designer used, as read from SVG, or the matched bundled family."""
    weight: int
    """CSS weight: 400 regular, 700 bold."""
    render_font: str
    """Key of the bundled open font the generator sets this role in (see typography.py)."""
    source: str
    """"svg" (read from the file), "measured" (raster, closest bundled font) or "default"."""


@dataclass(frozen=True)
class ElementStats:
    role: str
    box: Box
    """Mean normalised box over the designs that have this element."""
    frequency: float
    """Share of the designs that have it."""
    boxes: tuple[Box, ...] = ()
    """Every observed box (capped), for the heat map."""


@dataclass(frozen=True)
class LayoutStats:
    elements: dict[str, ElementStats]
    margin: float
    """Typical distance of content from the canvas edge, as a share of the shorter side."""
    alignment: str
    """Dominant text alignment: "left", "center" or "right"."""
    alignment_share: dict[str, float]
    whitespace: float
    """Mean share of the canvas left empty (background)."""
    contrast: float
    """Median WCAG contrast of body text on its background in the designs."""
    headline_scale: float
    """Headline line height as a share of the canvas's shorter side."""
    body_scale: float


@dataclass(frozen=True)
class ShapeLanguage:
    corner_radius: float
    """Corner radius of boxes and buttons as a share of their shorter side (0.5 = pill)."""
    shape: str
    """"sharp", "rounded" or "pill"."""


@dataclass(frozen=True)
class Style:
    palette: tuple[PaletteColor, ...]
    fonts: tuple[FontChoice, ...]
    layout: LayoutStats
    shapes: ShapeLanguage
    designs: int
    """How many designs the style was learned from."""
    excluded: tuple[str, ...] = ()
    """Content hashes of designs the freelancer excluded."""
    version: int = STYLE_VERSION

    def color(self, role: str) -> str:
        for entry in self.palette:
            if entry.role == role:
                return entry.hex
        raise KeyError(f"the style has no {role!r} colour")

    def font(self, role: str) -> FontChoice:
        for entry in self.fonts:
            if entry.role == role:
                return entry
        return next(f for f in self.fonts if f.role == "body")

    def with_locked_colors(self, locked: Mapping[str, str]) -> Style:
        """The freelancer's corrections: each role takes the given colour and is marked locked;
        a learned colour that was close to it keeps its weight."""
        if not locked:
            return self
        for role in locked:
            if role not in ROLES:
                raise ValueError(f"unknown palette role {role!r} (one of {', '.join(ROLES)})")
        palette = [
            PaletteColor(to_hex(parse_hex(locked[c.role])), c.role, c.weight, locked=True)
            if c.role in locked
            else c
            for c in self.palette
        ]
        return dataclasses.replace(self, palette=tuple(palette))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Style:
        layout = data["layout"]
        return cls(
            palette=tuple(PaletteColor(**p) for p in data["palette"]),
            fonts=tuple(FontChoice(**f) for f in data["fonts"]),
            layout=LayoutStats(
                elements={
                    role: ElementStats(
                        role=e["role"],
                        box=Box(**e["box"]),
                        frequency=e["frequency"],
                        boxes=tuple(Box(**b) for b in e.get("boxes", ())),
                    )
                    for role, e in layout["elements"].items()
                },
                margin=layout["margin"],
                alignment=layout["alignment"],
                alignment_share=dict(layout["alignment_share"]),
                whitespace=layout["whitespace"],
                contrast=layout["contrast"],
                headline_scale=layout["headline_scale"],
                body_scale=layout["body_scale"],
            ),
            shapes=ShapeLanguage(**data["shapes"]),
            designs=data["designs"],
            excluded=tuple(data.get("excluded", ())),
            version=data.get("version", STYLE_VERSION),
        )

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / STYLE_FILE
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: Path) -> Style:
        return cls.from_dict(json.loads((directory / STYLE_FILE).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Overrides:
    """The freelancer's corrections, given as input to training and generation."""

    locked_colors: dict[str, str] = field(default_factory=dict)
    """Palette role -> hex colour."""
    excluded_designs: tuple[str, ...] = ()
    """Content hashes (sha256 hex) of designs to leave out."""
