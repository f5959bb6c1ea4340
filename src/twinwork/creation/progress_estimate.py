"""A training run's progress in plain words: a percentage of the whole run and the minutes
left, evaluation included, instead of optimizer steps, losses and seconds.

The trainer reports the training phase's own estimate (``eta_seconds``); what follows it, the
held-out evaluation, reports none. Its length is estimated from what it does: for text, each
standard brief is written twice (base and personal model) at the measured generation speed of
this CPU, plus loading the embedder and the held-out perplexity; designs evaluate in seconds.
The percentage is time-based, elapsed / (elapsed + left), so the bar reaches 100% when the
version is ready, not when the last optimizer step is done.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from twinwork.config import Settings
from twinwork.creation.models import TrainingRun

GENERATION_TOKENS_PER_SECOND = 9.0
"""Measured: SmolLM2-135M with a LoRA adapter through PEFT ``generate`` on this CPU."""
TEXT_EVALUATION_OVERHEAD_SECONDS = 15.0
"""Loading the sentence embedder and computing held-out perplexity."""
OTHER_EVALUATION_SECONDS = 10.0

PHASE_WORDS = {
    "queued": "Waiting for a free trainer",
    "loading": "Getting ready: loading the base model and your samples",
    "training": "Learning from your samples",
    "saving": "Saving the new version",
    "evaluating": "Checking the new version against work it did not see",
}


@dataclass(frozen=True)
class RunEstimate:
    percent: int
    """0..100 of the whole run, evaluation included."""
    left_text: str
    """"about 3 minutes left", "less than a minute left", or "" while unknown."""
    phase_text: str


def evaluation_seconds(modality: str, settings: Settings) -> float:
    if modality == "text":
        writing = 2 * settings.evaluation_briefs * settings.evaluation_max_new_tokens
        return writing / GENERATION_TOKENS_PER_SECOND + TEXT_EVALUATION_OVERHEAD_SECONDS
    return OTHER_EVALUATION_SECONDS


def minutes_left_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return "less than a minute left"
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} minute{'s' if minutes != 1 else ''} left"


def estimate(run: TrainingRun, modality: str, settings: Settings, now: datetime) -> RunEstimate:
    phase = run.phase if run.status == "running" else str(run.status)
    words = PHASE_WORDS.get(phase, phase.replace("_", " ").capitalize())
    evaluation = evaluation_seconds(modality, settings)
    left: float | None
    if phase == "training" and run.eta_seconds is not None:
        left = run.eta_seconds + evaluation
    elif phase == "saving":
        left = evaluation
    elif phase == "evaluating":
        # Its start is not reported: half the estimate is the expected remainder.
        left = evaluation / 2
    else:
        left = None  # queued or loading: nothing measured yet
    elapsed = (now - run.started_at).total_seconds() if run.started_at else 0.0
    if left is None or elapsed <= 0:
        percent = 0
    else:
        # Never 100 while running: the version is ready only when the run ends.
        percent = min(99, math.floor(100 * elapsed / (elapsed + left)))
    return RunEstimate(percent=percent, left_text=minutes_left_text(left), phase_text=words)
