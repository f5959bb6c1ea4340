"""Personal text models: a LoRA adapter per freelancer on a small instruct base model.

The plain data types and planning functions import without torch, so the web process can use
them for free; training, evaluation and the engine load torch on first use.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twinwork.ml.hashing import hash_directory, sha256_text
from twinwork.ml.text.base import DEFAULT_BASE, BaseModelRef, ensure_base_model
from twinwork.ml.text.plan import MIN_TRAINING_SAMPLES, TrainingPlan, plan_training, split_heldout
from twinwork.ml.text.result import (
    STANDARD_BRIEFS,
    BriefOutput,
    Evaluation,
    TrainingCancelled,
    TrainingProgress,
    TrainResult,
)
from twinwork.ml.text.sample import TextSample

if TYPE_CHECKING:
    from twinwork.ml.text.engine import TextEngine, get_engine
    from twinwork.ml.text.evaluation import evaluate_text_adapter
    from twinwork.ml.text.training import train_text_adapter

name = "text"
"""This modality's key in ``twinwork.ml.MODALITIES``."""

_LAZY = {
    "TextEngine": "twinwork.ml.text.engine",
    "get_engine": "twinwork.ml.text.engine",
    "evaluate_text_adapter": "twinwork.ml.text.evaluation",
    "train_text_adapter": "twinwork.ml.text.training",
}


def __getattr__(attr: str) -> Any:
    module = _LAZY.get(attr)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
    return getattr(importlib.import_module(module), attr)


def train(*args: Any, **kwargs: Any) -> TrainResult:
    """The registry's entry point: ``train_text_adapter``."""
    from twinwork.ml.text.training import train_text_adapter

    return train_text_adapter(*args, **kwargs)


def evaluate(*args: Any, **kwargs: Any) -> Evaluation:
    """The registry's entry point: ``evaluate_text_adapter``."""
    from twinwork.ml.text.evaluation import evaluate_text_adapter

    return evaluate_text_adapter(*args, **kwargs)


def generate(
    base: BaseModelRef,
    brief: str,
    *,
    adapter_dir: Path | None,
    adapter_key: str | None = None,
    **kwargs: Any,
) -> str:
    """The registry's entry point: the process-wide engine's ``generate``."""
    from twinwork.ml.text.engine import get_engine

    return get_engine(base).generate(
        brief, adapter_dir=adapter_dir, adapter_key=adapter_key, **kwargs
    )


__all__ = [
    "DEFAULT_BASE",
    "MIN_TRAINING_SAMPLES",
    "STANDARD_BRIEFS",
    "BaseModelRef",
    "BriefOutput",
    "Evaluation",
    "TextEngine",
    "TextSample",
    "TrainResult",
    "TrainingCancelled",
    "TrainingPlan",
    "TrainingProgress",
    "ensure_base_model",
    "evaluate",
    "evaluate_text_adapter",
    "generate",
    "get_engine",
    "hash_directory",
    "name",
    "plan_training",
    "sha256_text",
    "split_heldout",
    "train",
    "train_text_adapter",
]
