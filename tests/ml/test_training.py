from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest
from safetensors.torch import load_file

from tests.ml.factories import text_samples
from twinwork.ml.text import (
    BaseModelRef,
    TrainingCancelled,
    TrainingPlan,
    TrainingProgress,
    TrainResult,
    hash_directory,
    plan_training,
    train_text_adapter,
)

pytestmark = pytest.mark.slow

SAMPLES = text_samples(6)


def _plan() -> TrainingPlan:
    plan = plan_training(len(SAMPLES), sum(len(s.text) for s in SAMPLES), max_steps=4)
    return dataclasses.replace(plan, max_length=96)


@pytest.fixture(scope="module")
def uninterrupted(
    base_model: BaseModelRef, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TrainResult, list[TrainingProgress], Path]:
    work = tmp_path_factory.mktemp("uninterrupted")
    progress: list[TrainingProgress] = []
    result = train_text_adapter(
        base_model,
        SAMPLES,
        _plan(),
        work / "adapter",
        checkpoint_dir=work / "checkpoint",
        on_progress=progress.append,
        checkpoint_every=2,
    )
    return result, progress, work


def test_training_writes_a_peft_adapter_and_reports_every_step(
    uninterrupted: tuple[TrainResult, list[TrainingProgress], Path],
) -> None:
    result, progress, work = uninterrupted
    assert result.steps == 4 and result.resumed_from_step is None
    assert result.final_loss is not None and math.isfinite(result.final_loss)
    assert sorted(p.name for p in result.adapter_dir.iterdir()) == [
        "adapter_config.json",
        "adapter_model.safetensors",
    ]
    config = json.loads((result.adapter_dir / "adapter_config.json").read_text())
    assert config["peft_type"] == "LORA" and config["r"] == _plan().lora_r
    # The stable base id, not this machine's cache path.
    assert config["base_model_name_or_path"] == base_model_id()
    weights = load_file(str(result.adapter_dir / "adapter_model.safetensors"))
    assert any("lora_B" in k and v.abs().sum() > 0 for k, v in weights.items())

    steps = [p for p in progress if p.phase == "training"]
    assert [p.step for p in steps] == [1, 2, 3, 4]
    assert all(p.total_steps == 4 and p.loss is not None and math.isfinite(p.loss) for p in steps)
    assert steps[-1].eta_seconds == 0.0
    assert progress[0].phase == "loading" and progress[-1].phase == "saving"
    # A finished run leaves no checkpoint behind.
    assert not any((work / "checkpoint").iterdir())


def base_model_id() -> str:
    return "HuggingFaceTB/SmolLM2-135M-Instruct@Q4_1-gguf"


def test_cancel_keeps_a_checkpoint_and_the_next_run_resumes_to_the_same_adapter(
    base_model: BaseModelRef,
    tmp_path: Path,
    uninterrupted: tuple[TrainResult, list[TrainingProgress], Path],
) -> None:
    done: list[int] = []

    def on_progress(p: TrainingProgress) -> None:
        if p.phase == "training":
            done.append(p.step)

    with pytest.raises(TrainingCancelled) as cancelled:
        train_text_adapter(
            base_model,
            SAMPLES,
            _plan(),
            tmp_path / "adapter",
            checkpoint_dir=tmp_path / "checkpoint",
            on_progress=on_progress,
            should_stop=lambda: len(done) >= 2,
            checkpoint_every=2,
        )
    assert cancelled.value.step == 2
    assert not (tmp_path / "adapter").exists()
    assert (tmp_path / "checkpoint" / "latest").read_text() == "step-000002"

    # Same samples in another order: still the same run.
    resumed = train_text_adapter(
        base_model,
        list(reversed(SAMPLES)),
        _plan(),
        tmp_path / "adapter",
        checkpoint_dir=tmp_path / "checkpoint",
        checkpoint_every=2,
    )
    assert resumed.resumed_from_step == 2 and resumed.steps == 4
    # Data order, optimizer and RNG state all survive: byte-identical to the uninterrupted run.
    assert hash_directory(resumed.adapter_dir) == hash_directory(uninterrupted[0].adapter_dir)


def test_a_checkpoint_of_another_plan_is_ignored(base_model: BaseModelRef, tmp_path: Path) -> None:
    with pytest.raises(TrainingCancelled):
        train_text_adapter(
            base_model,
            SAMPLES,
            _plan(),
            tmp_path / "adapter",
            checkpoint_dir=tmp_path / "checkpoint",
            should_stop=lambda: (tmp_path / "checkpoint" / "latest").exists(),
            checkpoint_every=1,
        )
    other = dataclasses.replace(_plan(), max_steps=1)
    result = train_text_adapter(
        base_model, SAMPLES, other, tmp_path / "adapter", checkpoint_dir=tmp_path / "checkpoint"
    )
    assert result.resumed_from_step is None and result.steps == 1


def test_no_samples_is_refused(base_model: BaseModelRef, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no training samples"):
        train_text_adapter(base_model, [], _plan(), tmp_path / "a", checkpoint_dir=tmp_path / "c")
