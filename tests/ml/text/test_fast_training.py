"""The fast recipe on the real packaged base, tiny data and few steps: the same loss whichever
way the batch is laid out, an adapter on the upper layers that every reader loads, early
stopping that stops, and adapters and checkpoints of the legacy plan that still work."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from tests.ml.factories import text_samples
from twinwork.ml.text import BaseModelRef, TextSample, plan_training, train_text_adapter
from twinwork.ml.text import checkpoint as checkpoints
from twinwork.ml.text.evaluation import heldout_perplexities
from twinwork.ml.text.loading import load_tokenizer
from twinwork.ml.text.plan import TrainingPlan
from twinwork.ml.text.runtime import device
from twinwork.ml.text.training import _Forward, build_examples, build_model

pytestmark = pytest.mark.slow

SAMPLES = text_samples(6)
PROSE = [
    TextSample.of(90, "Quarterly revenue rose four percent on steady demand for industrial pumps."),
    TextSample.of(91, "The committee will review the procurement policy at its next meeting."),
]


def _fast(**changes: object) -> TrainingPlan:
    plan = plan_training(len(SAMPLES), sum(len(s.text) for s in SAMPLES))
    return dataclasses.replace(plan, max_length=96, **changes)  # type: ignore[arg-type]


def test_packed_cached_and_padded_batches_give_the_same_loss(base_model: BaseModelRef) -> None:
    """Packing (attention kept inside each piece) and the cached frozen layers are layouts of
    the same arithmetic, not approximations."""
    tokenizer = load_tokenizer(base_model)
    plan = _fast(mixed_precision=False, lora_dropout=0.0)
    examples = build_examples(tokenizer, SAMPLES[:3], plan)
    pad = int(tokenizer.pad_token_id)
    model, _ = build_model(base_model, plan, device())
    # A non-zero adapter, so the upper layers differ from the base's.
    with torch.no_grad():
        for param in model.parameters():
            if param.requires_grad:
                param.fill_(0.01)
    model.eval()
    losses = {}
    for name, changes in {
        "padded": {"packing": False, "reuse_frozen_activations": False},
        "packed": {"packing": True, "reuse_frozen_activations": False},
        "packed+cached": {"packing": True, "reuse_frozen_activations": True},
        "padded+cached": {"packing": False, "reuse_frozen_activations": True},
    }.items():
        variant = dataclasses.replace(plan, **changes)  # type: ignore[arg-type]
        forward = _Forward(model, variant, 20, device())
        if variant.reuse_frozen_activations:
            forward.cache_frozen(examples, pad)
            assert len(forward.cached) == len(examples)
        with torch.no_grad():
            losses[name] = float(forward.loss(examples, pad))
    reference = losses["padded"]
    assert all(abs(v - reference) < 1e-4 * reference for v in losses.values()), losses


def test_the_fast_plan_writes_an_upper_layer_adapter_that_every_reader_loads(
    base_model: BaseModelRef, tmp_path: Path
) -> None:
    from twinwork.ml.text.adapter import read_adapter

    result = train_text_adapter(
        base_model, SAMPLES[:4], _fast(max_steps=2), tmp_path / "adapter",
        checkpoint_dir=tmp_path / "checkpoint", validation=SAMPLES[4:],
    )  # fmt: skip
    config = json.loads((result.adapter_dir / "adapter_config.json").read_text())
    layers = {int(name.split(".")[2]) for name in config["target_modules"]}
    assert layers == set(range(20, 30))  # the stored config says which modules it covers
    weights = load_file(str(result.adapter_dir / "adapter_model.safetensors"))
    assert {int(key.split(".layers.")[1].split(".")[0]) for key in weights} == layers
    assert len(read_adapter(result.adapter_dir).layers) == 10 * 7  # the serving engine's reader
    base_ppl, personal_ppl = heldout_perplexities(base_model, result.adapter_dir, SAMPLES[4:])
    assert personal_ppl < base_ppl  # PEFT loads it and it learned something in two steps


def test_early_stopping_stops_and_keeps_the_best_epoch(
    base_model: BaseModelRef, tmp_path: Path
) -> None:
    # Two lyrics trained hard at a high rate, scored on prose: the held-out loss rises after
    # the first epoch, so the run stops there and keeps that epoch's adapter.
    plan = _fast(epochs=8, batch_size=2, learning_rate=5e-3, patience=1)
    progress = []
    result = train_text_adapter(
        base_model, SAMPLES[:2], plan, tmp_path / "adapter",
        checkpoint_dir=tmp_path / "checkpoint", validation=PROSE, on_progress=progress.append,
    )  # fmt: skip
    assert result.planned_steps is not None and result.planned_steps % 8 == 0
    per_epoch = result.planned_steps // 8
    assert result.steps < result.planned_steps
    losses = result.validation_losses
    assert len(losses) * per_epoch == result.steps  # scored after every epoch
    assert result.best_step == per_epoch * (1 + losses.index(min(losses)))
    assert result.best_step < result.steps
    # The bar ends where the run ended, not at the planned total.
    assert progress[-1].phase == "saving" and progress[-1].total_steps == result.steps


def test_an_adapter_of_the_legacy_plan_still_loads_and_scores(
    base_model: BaseModelRef, tmp_path: Path
) -> None:
    plan = dataclasses.replace(
        plan_training(len(SAMPLES), sum(len(s.text) for s in SAMPLES), recipe="legacy"),
        max_length=96,
        max_steps=1,
    )
    result = train_text_adapter(
        base_model, SAMPLES[:4], plan, tmp_path / "adapter", checkpoint_dir=tmp_path / "ck"
    )
    config = json.loads((result.adapter_dir / "adapter_config.json").read_text())
    assert sorted(config["target_modules"]) == sorted(
        ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )
    assert result.best_step is None and result.validation_losses == []
    base_ppl, personal_ppl = heldout_perplexities(base_model, result.adapter_dir, SAMPLES[4:])
    assert personal_ppl > 0 and base_ppl > 0


def test_a_checkpoint_written_before_early_stopping_still_loads(tmp_path: Path) -> None:
    saved = checkpoints.Checkpoint(
        step=3,
        fingerprint="f" * 64,
        losses=[3.0, 2.5, 2.0],
        order=[[0, 1], [1, 0], [0, 1]],
        adapter={"a": torch.ones(2, 2)},
        optimizer={"state": {}, "param_groups": []},
        rng={"cpu": torch.get_rng_state()},
    )
    checkpoints.save(tmp_path, saved)
    # The state file as the previous version wrote it: no evaluations, no best adapter.
    [directory] = [p for p in tmp_path.iterdir() if p.name.startswith("step-")]
    state = json.loads((directory / "state.json").read_text())
    del state["evaluations"]
    (directory / "state.json").write_text(json.dumps(state))
    loaded = checkpoints.load(tmp_path, "f" * 64)
    assert loaded is not None and loaded.step == 3
    assert loaded.evaluations == [] and loaded.best_adapter is None
    # And the new fields round-trip.
    checkpoints.save(
        tmp_path,
        dataclasses.replace(saved, evaluations=[(2, 1.5)], best_adapter={"a": torch.zeros(2, 2)}),
    )
    again = checkpoints.load(tmp_path, "f" * 64)
    assert again is not None and again.evaluations == [(2, 1.5)]
    assert again.best_adapter is not None and float(again.best_adapter["a"].sum()) == 0.0
