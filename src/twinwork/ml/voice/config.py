"""The voice modality's training configuration (its plan), and the held-out split."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

SAMPLE_KINDS = ("audio",)
"""Portfolio sample kinds this modality learns from: recordings with their scripts."""
MIN_RECORDINGS = 3
"""Two to learn from and one held out to evaluate on; the portfolio's minimum duration (a
setting, three minutes by default) is checked by the domain before training."""
DEFAULT_STEPS = 600
MAX_HELDOUT = 6


@dataclass(frozen=True)
class VoicePlan:
    steps: int = DEFAULT_STEPS
    """Mini-batches the envelope network is trained for."""
    heldout_fraction: float = 0.2
    seed: int = 0
    evaluation_outputs: int = 3
    """Held-out scripts said by the base and the personal voice for the freelancer to hear."""

    def __post_init__(self) -> None:
        if self.steps < 1:
            raise ValueError("a voice plan needs at least one training step")
        if not 0.0 <= self.heldout_fraction < 1.0:
            raise ValueError("the held-out fraction must be in [0, 1)")


def plan_voice(recordings: int, max_steps: int | None = None) -> VoicePlan:
    if recordings < 1:
        raise ValueError("a voice plan needs at least one recording")
    steps = DEFAULT_STEPS if max_steps is None else max(1, min(DEFAULT_STEPS, max_steps))
    return VoicePlan(steps=steps)


def heldout_count(recordings: int, fraction: float) -> int:
    """None below the minimum; otherwise at least one, leaving at least two to learn from."""
    if recordings < MIN_RECORDINGS:
        return 0
    return min(max(1, round(recordings * fraction)), MAX_HELDOUT, recordings - 2)


class _HasHash(Protocol):
    @property
    def content_hash(self) -> str: ...


S = TypeVar("S", bound=_HasHash)


def split_heldout(samples: Sequence[S], plan: VoicePlan) -> tuple[list[S], list[S]]:
    """(learn, held out), ranked by a hash of the seed and the content: re-runs hold out the
    same recordings whatever the upload order."""
    hashes = {s.content_hash for s in samples}
    count = heldout_count(len(hashes), plan.heldout_fraction)
    ranked = sorted(hashes, key=lambda h: hashlib.sha256(f"{plan.seed}:{h}".encode()).hexdigest())
    held = set(ranked[:count])
    return (
        [s for s in samples if s.content_hash not in held],
        [s for s in samples if s.content_hash in held],
    )
