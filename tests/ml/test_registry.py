from __future__ import annotations

import subprocess
import sys

import pytest

from twinwork import ml
from twinwork.ml import MODALITIES, get_modality
from twinwork.ml import text as text_ml


def test_text_modality_is_registered_with_the_text_module_entry_points() -> None:
    spec = get_modality("text")
    assert spec.name == "text"
    assert spec.sample_kinds == ("text",)
    assert spec.min_samples == text_ml.MIN_TRAINING_SAMPLES
    module = spec.load()
    assert module.name == "text"
    assert module.MIN_TRAINING_SAMPLES == text_ml.MIN_TRAINING_SAMPLES
    assert callable(module.train) and callable(module.evaluate) and callable(module.generate)
    assert set(MODALITIES) >= {"text"}


def test_unknown_modality_raises_value_error_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown modality 'smell'.*text"):
        get_modality("smell")


def test_reading_the_registry_and_text_types_does_not_import_torch() -> None:
    code = (
        "import sys, twinwork.ml as ml, twinwork.ml.text as t;"
        "ml.get_modality('text').load(); t.plan_training(5, 500);"
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_hash_helpers_are_exported_from_the_ml_package() -> None:
    assert ml.sha256_text is text_ml.sha256_text
