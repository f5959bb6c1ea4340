from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ml.factories import text_samples
from twinwork import ml
from twinwork.ml import (
    DEFAULT_MODALITY,
    EvaluationResult,
    PlanRequest,
    TrainingSample,
    UnknownModality,
    get_modality,
    modalities,
    modality_names,
    register_modality,
    unregister_modality,
)
from twinwork.ml import text as text_ml


def training_samples(n: int) -> list[TrainingSample]:
    return [TrainingSample(s.sample_id, s.content_hash, "text", s.text) for s in text_samples(n)]


def test_importing_ml_registers_the_text_modality_with_its_plan_and_entry_points() -> None:
    spec = get_modality("text")
    assert (spec.name, spec.label, spec.sample_kinds) == ("text", "Writing", ("text",))
    assert spec.min_samples == text_ml.MIN_TRAINING_SAMPLES
    assert spec.config_cls is text_ml.TrainingPlan
    assert spec in modalities() and "text" in modality_names()
    assert DEFAULT_MODALITY in modality_names()
    assert callable(spec.train) and callable(spec.evaluate) and callable(spec.generate)
    assert spec.evict is not None


def test_the_text_plan_comes_from_the_samples_and_round_trips_through_its_stored_form() -> None:
    samples = training_samples(5)
    plan = get_modality("text").plan(PlanRequest(samples, max_steps=7))
    assert plan == text_ml.plan_training(5, sum(len(s.content) for s in samples), max_steps=7)
    spec = get_modality("text")
    assert spec.config_from_dict(spec.config_as_dict(plan)) == plan


def test_unknown_modality_raises_value_error_naming_the_known_ones() -> None:
    with pytest.raises(UnknownModality, match="unknown modality 'smell'.*text"):
        get_modality("smell")
    assert issubclass(UnknownModality, ValueError)


@dataclasses.dataclass(frozen=True)
class _Plan:
    steps: int


def _register(name: str, config_cls: type = _Plan) -> None:
    register_modality(
        name=name,
        label=name.title(),
        config_cls=config_cls,
        sample_kinds=("text",),
        min_samples=1,
        plan=lambda request: _Plan(len(request.samples)),
        train=lambda request: pytest.fail("not trained in this test"),
        evaluate=lambda request: EvaluationResult({}, []),
        generate=lambda request: request.brief,
    )


def test_a_modality_registers_once_and_can_be_unregistered() -> None:
    _register("smell")
    try:
        assert get_modality("smell").plan(PlanRequest(training_samples(2))) == _Plan(2)
        assert "smell" in modality_names()
        with pytest.raises(ValueError, match="already registered"):
            _register("smell")
    finally:
        unregister_modality("smell")
    assert "smell" not in modality_names()
    with pytest.raises(UnknownModality):
        get_modality("smell")


def test_a_config_must_be_a_dataclass() -> None:
    with pytest.raises(TypeError, match="dataclass"):
        _register("taste", config_cls=dict)
    assert "taste" not in modality_names()


def test_reading_the_registry_planning_and_evicting_do_not_import_torch(tmp_path: Path) -> None:
    code = (
        "import sys, twinwork.ml as ml;"
        "spec = ml.get_modality('text');"
        "spec.plan(ml.PlanRequest([ml.TrainingSample(1, 'h', 'text', 'a b c')] * 3));"
        "spec.evict('some-adapter');"
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


def test_hash_helpers_are_exported_from_the_ml_package() -> None:
    assert ml.sha256_text is text_ml.sha256_text
