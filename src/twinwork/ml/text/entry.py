"""The text modality's entry points in the registry: the generic requests in, text calls out.

Imports nothing heavy at module level: training, evaluation and the engine (and with them
torch) load on the first call.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from twinwork.ml.registry import (
    EvaluateRequest,
    EvaluationResult,
    GenerateRequest,
    ModelEnvironment,
    PlanRequest,
    TrainingSample,
    TrainOutcome,
    TrainRequest,
)
from twinwork.ml.text.base import DEFAULT_BASE, BaseModelRef, ensure_base_model
from twinwork.ml.text.plan import TrainingPlan, plan_training, split_heldout
from twinwork.ml.text.prompt import check_length_options, generate_answer
from twinwork.ml.text.result import (
    EVALUATION_MAX_NEW_TOKENS,
    GENERATION_MAX_NEW_TOKENS,
    STANDARD_BRIEFS,
)
from twinwork.ml.text.sample import TextSample


def plan(request: PlanRequest) -> TrainingPlan:
    return plan_training(
        len(request.samples),
        sum(len(s.content) for s in request.samples),
        max_steps=request.max_steps,
    )


def train(request: TrainRequest[TrainingPlan]) -> TrainOutcome:
    """Hold out a few pieces for evaluation and train a LoRA adapter on the rest."""
    from twinwork.ml.text.training import train_text_adapter

    base = _base(request.environment)
    train_set, heldout = split_heldout(_texts(request.samples), request.config)
    result = train_text_adapter(
        base,
        train_set,
        request.config,
        request.out_dir,
        checkpoint_dir=request.checkpoint_dir,
        # Scored after each epoch when the plan stops early; never trained on.
        validation=heldout,
        on_progress=request.on_progress,
        should_stop=request.should_stop,
    )
    by_id = {s.sample_id: s for s in request.samples}
    return TrainOutcome(
        adapter_dir=result.adapter_dir,
        base_model_id=base.model_id,
        trained=tuple(by_id[s.sample_id] for s in train_set),
        heldout=tuple(by_id[s.sample_id] for s in heldout),
        steps=result.steps,
        final_loss=result.final_loss,
    )


def evaluate(request: EvaluateRequest[TrainingPlan]) -> EvaluationResult:
    """Perplexity on the held-out pieces and style similarity of answers to standard briefs,
    each for the base and the personal model."""
    from twinwork.ml.text.evaluation import evaluate_text_adapter

    trained = request.trained
    # A portfolio at the minimum size holds nothing out; one training piece still shows
    # whether the adapter learned anything at all.
    heldout = _texts(trained.heldout) or _texts(trained.trained[:1])
    evaluation = evaluate_text_adapter(
        _base(request.environment),
        trained.adapter_dir,
        heldout,
        _texts(request.portfolio),
        briefs=STANDARD_BRIEFS[: request.briefs],
        max_new_tokens=request.max_length or EVALUATION_MAX_NEW_TOKENS,
    )
    return EvaluationResult(
        metrics=evaluation.metrics(),
        outputs=[
            {"brief": o.brief, "base": o.base_text, "personal": o.personal_text}
            for o in evaluation.samples
        ],
    )


OPTIONS_FIELD = "text"
"""The request field that carries a writing model's options: ``{"text": {"length": "long"}}``
(register it with ``options_field=OPTIONS_FIELD, check_options=check_options``)."""


def check_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The buyer's length choice: ``length`` (short, medium or long), ``lines`` or ``words``;
    ValueError with a message a person can act on otherwise."""
    return check_length_options(options)


def generate(request: GenerateRequest) -> str:
    """Answer the brief on this process's engine for the base model, as long as the brief's
    kind and the buyer's length option ask (``prompt.generation_arguments``); the request's
    ``max_length`` caps answers for which the buyer chose no length. On the remote engine
    when the host chose one (``remote.use_remote``)."""
    from twinwork.ml.text.engine import get_engine
    from twinwork.ml.text.remote import remote_engine

    base = _base(request.environment)
    return generate_answer(
        remote_engine(base) or get_engine(base),
        request.brief,
        request.adapter_dir,
        options=dict(request.options),
        adapter_key=request.adapter_key,
        seed=request.seed,
        cap=request.max_length or GENERATION_MAX_NEW_TOKENS,
        sink=request.sink,
    )


def evict(adapter_key: str) -> None:
    """Drop an adapter from this process's engines; a no-op where none was ever loaded (and
    without loading torch to find that out)."""
    engine = sys.modules.get("twinwork.ml.text.engine")
    if engine is not None:
        engine.evict_everywhere(adapter_key)
    remote = sys.modules.get("twinwork.ml.text.remote")
    if remote is not None:  # and off the remote server, when one serves this process
        remote.evict_everywhere(adapter_key)


def prefetch(environment: ModelEnvironment, fetch: Callable[[], Path], adapter_key: str) -> bool:
    """Copy an adapter into a slot of this process's engine ahead of its first request (a
    buyer opened the model's page). A no-op, returning False, while no engine is loaded:
    a page view never loads the base model (nor torch), nor fetches the adapter for it."""
    engine_module = sys.modules.get("twinwork.ml.text.engine")
    if engine_module is None:
        return False
    engine = engine_module.loaded_engine(_base(environment))
    if engine is None or not hasattr(engine, "prefetch"):
        return False
    return bool(engine.prefetch(fetch(), adapter_key))


def warm(environment: ModelEnvironment) -> None:
    """Convert the base if needed and load the serving engine (tens of seconds when cold);
    with a remote engine, only its tokenizer (the weights are the server's)."""
    from twinwork.ml.text.engine import get_engine
    from twinwork.ml.text.remote import remote_engine

    base = _base(environment)
    if remote_engine(base) is None:
        get_engine(base)


def _base(environment: ModelEnvironment) -> BaseModelRef:
    return ensure_base_model(environment.cache_dir, environment.base_model or DEFAULT_BASE)


def _texts(samples: Sequence[TrainingSample]) -> list[TextSample]:
    return [TextSample(s.sample_id, s.content_hash, s.content) for s in samples]
