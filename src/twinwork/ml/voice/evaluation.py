"""How close a personal voice is to the freelancer, on recordings it never trained on.

Speaker similarity is the cosine between speaker embeddings (``encoder``). For each held-out
recording the base voice and the personal voice say its script; each output is compared with
the freelancer's *other* held-out recordings (a different script, so the words do not help),
and the freelancer's held-out recordings with each other give the ceiling: how alike one
person sounds across takes.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from twinwork.ml.voice.encoder import Embedding, similarity
from twinwork.ml.voice.signal import Audio, clipped_fraction, speech_seconds

CLOSER_MARGIN = 0.02
"""Cosine units: a personal voice must beat the base by at least this to count as closer."""
CLIPPING_LIMIT = 0.001
"""Share of samples at full scale above which an output counts as clipped."""
DURATION_RANGE = (0.6, 1.6)
"""Personal output length over the freelancer's own, for the same script, to be plausible."""


@dataclass(frozen=True)
class Take:
    """One held-out script: the freelancer's recording, the base's and the personal output."""

    script: str
    rate: int
    reference: Audio
    base: Audio
    personal: Audio
    reference_embedding: Embedding
    base_embedding: Embedding
    personal_embedding: Embedding


def _pairs(count: int) -> list[tuple[int, int]]:
    """(output, reference) index pairs: different scripts where there are two or more."""
    if count < 2:
        return [(0, 0)]
    return [(i, j) for i in range(count) for j in range(count) if i != j]


def _ceiling(takes: Sequence[Take], others: Sequence[Embedding]) -> float:
    if len(takes) >= 2:
        return float(
            np.mean(
                [
                    similarity(a.reference_embedding, b.reference_embedding)
                    for a, b in itertools.combinations(takes, 2)
                ]
            )
        )
    if not others:
        return float("nan")
    return float(np.mean([similarity(t.reference_embedding, o) for t in takes for o in others]))


def speaker_metrics(takes: Sequence[Take], others: Sequence[Embedding] = ()) -> dict[str, float]:
    """The three similarities, the gap, duration and clipping, and ``closer_than_base``.
    ``others``: embeddings of the freelancer's other recordings, for the ceiling of a lone
    held-out recording (it has no other held-out take to be compared with)."""
    if not takes:
        raise ValueError("no held-out recordings to evaluate on")
    pairs = _pairs(len(takes))
    base = float(
        np.mean(
            [similarity(takes[i].base_embedding, takes[j].reference_embedding) for i, j in pairs]
        )
    )
    personal = float(
        np.mean(
            [
                similarity(takes[i].personal_embedding, takes[j].reference_embedding)
                for i, j in pairs
            ]
        )
    )
    ceiling = _ceiling(takes, others)
    durations = [
        speech_seconds(t.personal, t.rate) / max(speech_seconds(t.reference, t.rate), 1e-6)
        for t in takes
    ]
    base_durations = [
        speech_seconds(t.base, t.rate) / max(speech_seconds(t.reference, t.rate), 1e-6)
        for t in takes
    ]
    clipped = max(clipped_fraction(t.personal) for t in takes)
    base_clipped = max(clipped_fraction(t.base) for t in takes)
    duration = float(np.mean(durations))
    closer = personal >= base + CLOSER_MARGIN
    return {
        "base_speaker_similarity": round(base, 4),
        "personal_speaker_similarity": round(personal, 4),
        "ceiling_speaker_similarity": round(ceiling, 4),
        "speaker_similarity_gap": round(personal - base, 4),
        "base_duration_ratio": round(float(np.mean(base_durations)), 3),
        "personal_duration_ratio": round(duration, 3),
        "base_clipped_fraction": round(base_clipped, 5),
        "personal_clipped_fraction": round(clipped, 5),
        "duration_ok": 1.0 if DURATION_RANGE[0] <= duration <= DURATION_RANGE[1] else 0.0,
        "clipping_ok": 1.0 if clipped <= CLIPPING_LIMIT else 0.0,
        "heldout_recordings": float(len(takes)),
        "closer_than_base": 1.0 if closer else 0.0,
    }
