"""The real packaged base model, converted once into var/test-models and reused across runs,
and one small trained adapter shared by the evaluation and engine tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.ml.factories import text_samples
from twinwork.ml.text import (
    BaseModelRef,
    TextSample,
    TrainResult,
    ensure_base_model,
    plan_training,
    split_heldout,
    train_text_adapter,
)

MODEL_CACHE = Path(__file__).resolve().parents[2] / "var" / "test-models"


@pytest.fixture(scope="session")
def base_model() -> BaseModelRef:
    return ensure_base_model(MODEL_CACHE)


@dataclasses.dataclass(frozen=True)
class TrainedAdapter:
    result: TrainResult
    train: list[TextSample]
    heldout: list[TextSample]
    portfolio: list[TextSample]


@pytest.fixture(scope="session")
def trained_adapter(
    base_model: BaseModelRef, tmp_path_factory: pytest.TempPathFactory
) -> TrainedAdapter:
    portfolio = text_samples(8)
    plan = dataclasses.replace(
        plan_training(len(portfolio), sum(len(s.text) for s in portfolio), max_steps=10),
        max_length=96,
        learning_rate=1e-3,
    )
    train, heldout = split_heldout(portfolio, plan)
    work = tmp_path_factory.mktemp("trained")
    result = train_text_adapter(
        base_model, train, plan, work / "adapter", checkpoint_dir=work / "checkpoint"
    )
    return TrainedAdapter(result=result, train=train, heldout=heldout, portfolio=portfolio)
