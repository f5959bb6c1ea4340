"""Personal text models: a LoRA adapter per freelancer on a small instruct base model.

Registers itself as the "text" modality on import. The plain data types and planning functions
import without torch, so the web process can use them for free; training, evaluation and the
engine load torch on first use. Code outside this package reaches it through the registry.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from twinwork.ml.hashing import hash_directory, sha256_text
from twinwork.ml.registry import register_modality
from twinwork.ml.text import entry
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


register_modality(
    name="text",
    label="Writing",
    config_cls=TrainingPlan,
    sample_kinds=("text",),
    min_samples=MIN_TRAINING_SAMPLES,
    plan=entry.plan,
    train=entry.train,
    evaluate=entry.evaluate,
    generate=entry.generate,
    evict=entry.evict,
    warm=entry.warm,
    prefetch=entry.prefetch,
    options_field=entry.OPTIONS_FIELD,
    check_options=entry.check_options,
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
    "evaluate_text_adapter",
    "get_engine",
    "hash_directory",
    "plan_training",
    "sha256_text",
    "split_heldout",
    "train_text_adapter",
]
