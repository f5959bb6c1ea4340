"""Pure ML code: no database, no web, no settings. Jobs hand it paths and plain values.

One sub-package per modality; each registers itself in the table (``twinwork.ml.registry``) when
imported, and callers go through ``get_modality(name)``. Importing this package registers the
built-in modalities; their packages import torch only when they first train or generate, so
reading the table (to label a form or check a sample count) costs nothing.
"""

from __future__ import annotations

# The built-in modalities, each registering itself: adding one is its package and a line here.
import twinwork.ml.design  # noqa: F401
import twinwork.ml.text  # noqa: F401
import twinwork.ml.voice  # noqa: F401
from twinwork.ml.hashing import hash_directory, sha256_text
from twinwork.ml.registry import (
    EvaluateRequest,
    EvaluationResult,
    GeneratedFile,
    GenerateRequest,
    Modality,
    ModelEnvironment,
    PlanRequest,
    TrainingCancelled,
    TrainingProgress,
    TrainingSample,
    TrainOutcome,
    TrainRequest,
    UnknownModality,
    get_modality,
    modalities,
    modality_names,
    register_modality,
    unregister_modality,
)

DEFAULT_MODALITY = "text"
"""What a new model is when its creator names none."""

__all__ = [
    "DEFAULT_MODALITY",
    "EvaluateRequest",
    "EvaluationResult",
    "GenerateRequest",
    "GeneratedFile",
    "Modality",
    "ModelEnvironment",
    "PlanRequest",
    "TrainOutcome",
    "TrainRequest",
    "TrainingCancelled",
    "TrainingProgress",
    "TrainingSample",
    "UnknownModality",
    "get_modality",
    "hash_directory",
    "modalities",
    "modality_names",
    "register_modality",
    "sha256_text",
    "unregister_modality",
]
