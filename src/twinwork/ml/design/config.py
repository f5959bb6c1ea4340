"""The design modality's training configuration (its plan), and the held-out split."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from twinwork.ml.design.style import ROLES, Overrides

MIN_DESIGNS = 3
"""Fewer designs than this show a palette, not a style."""
SAMPLE_KINDS = ("design", "image")
"""Portfolio sample kinds this modality learns from: PNG, JPEG, WebP or SVG files."""
DEFAULT_PALETTE_SIZE = 6
MAX_HELDOUT = 20


@dataclass(frozen=True)
class DesignPlan:
    palette_size: int = DEFAULT_PALETTE_SIZE
    """Colour clusters learned: the four roles plus room for secondary colours."""
    heldout_fraction: float = 0.2
    seed: int = 0
    variants: int = 3
    """Designs generated per size for each brief."""
    locked_colors: dict[str, str] = field(default_factory=dict)
    """The freelancer's corrections: palette role -> hex colour."""
    excluded_designs: tuple[str, ...] = ()
    """Content hashes of designs the freelancer left out."""

    def __post_init__(self) -> None:
        unknown = set(self.locked_colors) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown palette roles {sorted(unknown)} (one of {', '.join(ROLES)})")
        # JSON gives lists back; the plan keeps a tuple.
        object.__setattr__(self, "excluded_designs", tuple(self.excluded_designs))


def plan_design(n_designs: int, overrides: Overrides | None = None) -> DesignPlan:
    if n_designs < 1:
        raise ValueError("a design plan needs at least one design")
    overrides = overrides or Overrides()
    # Few designs cannot support many clusters: each would be one design's accident.
    size = min(DEFAULT_PALETTE_SIZE, 4 + n_designs // 5)
    return DesignPlan(
        palette_size=size,
        locked_colors=dict(overrides.locked_colors),
        excluded_designs=tuple(overrides.excluded_designs),
    )


def heldout_count(n_designs: int, fraction: float) -> int:
    """None below the minimum; otherwise at least one, leaving at least two to learn from."""
    if n_designs < MIN_DESIGNS:
        return 0
    return min(max(1, round(n_designs * fraction)), MAX_HELDOUT, n_designs - 2)


class _HasHash(Protocol):
    @property
    def content_hash(self) -> str: ...


S = TypeVar("S", bound=_HasHash)


def split_heldout(samples: Sequence[S], plan: DesignPlan) -> tuple[list[S], list[S]]:
    """(learn, held out), ranked by a hash of the seed and the content, so re-runs hold out
    the same designs whatever the upload order, and copies of one file stay on one side."""
    count = heldout_count(len({s.content_hash for s in samples}), plan.heldout_fraction)
    ranked = sorted(
        {s.content_hash for s in samples},
        key=lambda h: hashlib.sha256(f"{plan.seed}:{h}".encode()).hexdigest(),
    )
    held = set(ranked[:count])
    return (
        [s for s in samples if s.content_hash not in held],
        [s for s in samples if s.content_hash in held],
    )
