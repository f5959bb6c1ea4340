"""What training and evaluation report back: plain data, importable without torch."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Shared by every modality; imported here so text code keeps one place to import from.
from twinwork.ml.registry import TrainingCancelled, TrainingProgress

__all__ = [
    "EVALUATION_MAX_NEW_TOKENS",
    "GENERATION_MAX_NEW_TOKENS",
    "STANDARD_BRIEFS",
    "BriefOutput",
    "Evaluation",
    "TrainResult",
    "TrainingCancelled",
    "TrainingProgress",
]


@dataclass(frozen=True)
class TrainResult:
    adapter_dir: Path
    steps: int
    final_loss: float | None
    seconds: float
    resumed_from_step: int | None
    planned_steps: int | None = None
    """Steps the plan allowed; more than ``steps`` when held-out loss stopped the run early."""
    best_step: int | None = None
    """The step whose adapter was kept (lowest held-out loss); None: no held-out scoring."""
    validation_losses: list[float] = field(default_factory=list)
    """Held-out loss per answer token after each epoch, when the plan stops early."""


GENERATION_MAX_NEW_TOKENS = 80
"""How long an answer may be when the caller sets no cap."""
EVALUATION_MAX_NEW_TOKENS = 60
"""Evaluation answers several briefs twice (base and personal): shorter keeps a run quick."""

STANDARD_BRIEFS: tuple[str, ...] = (
    "A short ad for a neighbourhood coffee shop",
    "Lyrics about leaving home",
    "Product copy for a waterproof backpack",
    "A welcome message for a new yoga studio",
)


@dataclass(frozen=True)
class BriefOutput:
    brief: str
    base_text: str
    personal_text: str


@dataclass(frozen=True)
class Evaluation:
    base_perplexity: float
    personal_perplexity: float
    base_style_similarity: float
    personal_style_similarity: float
    samples: list[BriefOutput]

    def metrics(self) -> dict[str, float]:
        return {
            "base_perplexity": self.base_perplexity,
            "personal_perplexity": self.personal_perplexity,
            "base_style_similarity": self.base_style_similarity,
            "personal_style_similarity": self.personal_style_similarity,
        }
