"""One synthetic freelancer's recordings and one voice model trained on them, shared by the
voice tests (training takes tens of seconds on a busy two-core machine)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ml.voice.factories import recording_samples
from twinwork.ml import (
    EvaluateRequest,
    EvaluationResult,
    ModelEnvironment,
    TrainingProgress,
    TrainingSample,
    TrainOutcome,
    TrainRequest,
    get_modality,
)
from twinwork.ml.voice import VoicePlan

TEST_STEPS = 120


@dataclass(frozen=True)
class TrainedVoice:
    samples: list[TrainingSample]
    outcome: TrainOutcome
    evaluation: EvaluationResult
    progress: list[TrainingProgress]
    environment: ModelEnvironment
    plan: VoicePlan


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> list[TrainingSample]:
    return recording_samples(tmp_path_factory.mktemp("voice-recordings"))


@pytest.fixture(scope="session")
def trained_voice(
    recordings: list[TrainingSample], tmp_path_factory: pytest.TempPathFactory
) -> TrainedVoice:
    work: Path = tmp_path_factory.mktemp("voice-model")
    modality = get_modality("voice")
    plan = VoicePlan(steps=TEST_STEPS, heldout_fraction=0.34)
    environment = ModelEnvironment(cache_dir=work / "cache")
    progress: list[TrainingProgress] = []
    outcome = modality.train(
        TrainRequest(
            config=plan,
            samples=recordings,
            environment=environment,
            out_dir=work / "adapter",
            checkpoint_dir=work / "checkpoint",
            on_progress=progress.append,
        )
    )
    evaluation = modality.evaluate(
        EvaluateRequest(
            config=plan, environment=environment, trained=outcome, portfolio=recordings, briefs=2
        )
    )
    return TrainedVoice(recordings, outcome, evaluation, progress, environment, plan)
