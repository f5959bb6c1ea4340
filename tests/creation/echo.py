"""A tiny fake modality, "echo": proof that creation and generation reach a modality only
through the registry. Training writes a small adapter file, evaluation reports numbers
computed from the samples, and generation answers a brief with deterministic text."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from twinwork.ml import (
    EvaluateRequest,
    EvaluationResult,
    GenerateRequest,
    Modality,
    PlanRequest,
    TrainingProgress,
    TrainingSample,
    TrainOutcome,
    TrainRequest,
    register_modality,
    unregister_modality,
)

NAME = "echo"
BASE_MODEL_ID = "echo-base/1"


@dataclass(frozen=True)
class EchoConfig:
    words: int
    """How many words of the brief the answer repeats."""
    heldout: int


@dataclass
class Echo:
    """The modality's entry points, and what it was asked to do (for assertions)."""

    evicted: list[str] = field(default_factory=list)

    def plan(self, request: PlanRequest) -> EchoConfig:
        return EchoConfig(words=4 + len(request.samples), heldout=1)

    def train(self, request: TrainRequest[EchoConfig]) -> TrainOutcome:
        ordered = sorted(request.samples, key=lambda s: s.content_hash)
        heldout = tuple(ordered[: request.config.heldout])
        trained = tuple(ordered[request.config.heldout :])
        for step, _ in enumerate(trained, 1):
            request.on_progress(TrainingProgress(step, len(trained), 0.0, 0.0, 0.0, "training"))
        request.out_dir.mkdir(parents=True)
        adapter = {
            "config": asdict(request.config),
            "signature": "-".join(s.content_hash[:4] for s in trained),
        }
        (request.out_dir / "echo.json").write_text(json.dumps(adapter, sort_keys=True))
        return TrainOutcome(
            adapter_dir=request.out_dir,
            base_model_id=BASE_MODEL_ID,
            trained=trained,
            heldout=heldout,
            steps=len(trained),
            final_loss=0.0,
        )

    def evaluate(self, request: EvaluateRequest[EchoConfig]) -> EvaluationResult:
        brief = "A poster for the harbour festival"
        personal = self.generate(
            GenerateRequest(request.environment, brief, request.trained.adapter_dir)
        )
        return EvaluationResult(
            metrics=metrics_for(request.portfolio, request.trained.trained),
            outputs=[{"brief": brief, "base": brief.upper(), "personal": personal}],
        )

    def generate(self, request: GenerateRequest) -> str:
        if request.adapter_dir is None:
            return request.brief.upper()
        adapter = json.loads((request.adapter_dir / "echo.json").read_text())
        words = request.brief.split()[: adapter["config"]["words"]]
        return f"{adapter['signature']} says: " + " ".join(words)

    def evict(self, adapter_key: str) -> None:
        self.evicted.append(adapter_key)


def metrics_for(
    portfolio: Sequence[TrainingSample], trained: Sequence[TrainingSample]
) -> dict[str, float]:
    words = sum(len(s.content.split()) for s in portfolio)
    return {
        "base_coverage": 0.0,
        "personal_coverage": len(trained) / len(portfolio),
        "base_words": float(words),
        "personal_words": float(words),
    }


@contextmanager
def registered() -> Iterator[Echo]:
    """The echo modality in the registry for the duration of the block."""
    echo = Echo()
    register(echo)
    try:
        yield echo
    finally:
        unregister_modality(NAME)


def register(echo: Echo) -> Modality[EchoConfig]:
    return register_modality(
        name=NAME,
        label="Echo",
        config_cls=EchoConfig,
        sample_kinds=("text",),
        min_samples=2,
        plan=echo.plan,
        train=echo.train,
        evaluate=echo.evaluate,
        generate=echo.generate,
        evict=echo.evict,
    )
