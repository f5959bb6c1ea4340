"""A buyer's brief, the standard ad sizes, and the errors a brief can run into."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class AdSize:
    name: str
    width: int
    height: int

    @property
    def label(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def aspect(self) -> float:
        return self.width / self.height


AD_SIZES: tuple[AdSize, ...] = (
    AdSize("square post", 1080, 1080),
    AdSize("story", 1080, 1920),
    AdSize("link ad", 1200, 628),
    AdSize("leaderboard", 728, 90),
    AdSize("medium rectangle", 300, 250),
)


def ad_size(label: str) -> AdSize:
    for size in AD_SIZES:
        if size.label == label:
            return size
    known = ", ".join(s.label for s in AD_SIZES)
    raise ValueError(f"unknown ad size {label!r} (one of {known})")


@dataclass(frozen=True)
class Brief:
    headline: str
    body: str = ""
    cta: str = ""
    logo: bytes | None = None
    """PNG/JPEG/WebP bytes of the buyer's logo."""
    photo: bytes | None = None

    def __post_init__(self) -> None:
        if not self.headline.strip():
            raise ValueError("a design brief needs a headline")

    @classmethod
    def from_text(cls, text: str) -> Brief:
        """A brief from the registry's plain-text field: a JSON object with ``headline``,
        ``body`` and ``cta``, or else lines in that order."""
        stripped = text.strip()
        if stripped.startswith("{"):
            data = json.loads(stripped)
            return cls(
                headline=str(data.get("headline", "")),
                body=str(data.get("body", "")),
                cta=str(data.get("cta", "")),
            )
        lines = [line.strip() for line in stripped.splitlines() if line.strip()]
        return cls(
            headline=lines[0] if lines else "",
            body=" ".join(lines[1:-1]) if len(lines) > 2 else (lines[1] if len(lines) == 2 else ""),
            cta=lines[-1] if len(lines) > 2 else "",
        )


ELEMENT_NAMES = {"headline": "headline", "body": "body text", "cta": "call to action"}


class TextDoesNotFit(ValueError):
    """A text of the brief cannot be set in its place at a legible size: the design would
    have to clip or overflow it, which it never does."""

    def __init__(self, element: str, size: AdSize, min_px: int, max_chars: int) -> None:
        self.element = element
        self.size = size
        self.min_px = min_px
        self.max_chars = max_chars
        name = ELEMENT_NAMES.get(element, element)
        super().__init__(
            f"The {name} does not fit the {size.label} {size.name} even at {min_px} px: "
            f"shorten it to about {max_chars} characters, or leave out the {size.label} size."
        )


class HeadlineTooLong(TextDoesNotFit):
    pass


class BodyTooLong(TextDoesNotFit):
    pass


class CallToActionTooLong(TextDoesNotFit):
    pass


def too_long(element: str, size: AdSize, min_px: int, max_chars: int) -> TextDoesNotFit:
    cls = {"headline": HeadlineTooLong, "body": BodyTooLong, "cta": CallToActionTooLong}.get(
        element, TextDoesNotFit
    )
    return cls(element, size, min_px, max_chars)
