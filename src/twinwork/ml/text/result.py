"""What training and evaluation report back: plain data, importable without torch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TrainingProgress:
    step: int
    total_steps: int
    loss: float | None
    elapsed_seconds: float
    eta_seconds: float | None
    phase: str
    """"loading" | "training" | "saving" | "evaluating"."""


class TrainingCancelled(Exception):
    """should_stop() asked to stop; the progress so far is kept as a checkpoint."""

    def __init__(self, step: int | None = None) -> None:
        super().__init__("training cancelled" + (f" at step {step}" if step is not None else ""))
        self.step = step


@dataclass(frozen=True)
class TrainResult:
    adapter_dir: Path
    steps: int
    final_loss: float | None
    seconds: float
    resumed_from_step: int | None


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
