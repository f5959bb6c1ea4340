"""The fast recipe's choices, and that plans and checkpoints stored before it still read back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from twinwork.ml.text.base import BaseModelRef
from twinwork.ml.text.plan import TrainingPlan, plan_training
from twinwork.ml.text.sample import TextSample
from twinwork.ml.text.training import _should_stop_early, run_fingerprint, target_modules

LAYERS = 30  # SmolLM2-135M
# A plan as runs stored it (JSON on the run) before the fast recipe existed.
STORED_BEFORE = {
    "epochs": 4,
    "max_steps": None,
    "learning_rate": 2e-4,
    "lora_r": 16,
    "lora_alpha": 32,
    "lora_dropout": 0.05,
    "batch_size": 4,
    "max_length": 160,
    "seed": 0,
    "heldout_fraction": 0.1,
}


def test_the_legacy_recipe_is_the_plan_stored_runs_used() -> None:
    legacy = plan_training(40, 40 * 280, recipe="legacy")
    assert legacy == TrainingPlan(**STORED_BEFORE)
    assert legacy.adapted_layers(LAYERS) == range(LAYERS)
    assert not (legacy.packing or legacy.reuse_frozen_activations or legacy.mixed_precision)
    assert legacy.patience is None and legacy.total_steps(36) == 4 * 9


def test_the_fast_recipe_adapts_the_upper_layers_packs_and_stops_early() -> None:
    fast = plan_training(40, 40 * 280)
    legacy = plan_training(40, 40 * 280, recipe="legacy")
    assert fast.adapted_layers(LAYERS) == range(20, 30)
    assert fast.packing and fast.reuse_frozen_activations and fast.score_answers_only
    assert fast.patience == 1 and fast.mixed_precision
    assert fast.epochs == 2 < legacy.epochs and fast.learning_rate > legacy.learning_rate
    # Size-dependent choices are the legacy plan's.
    assert (fast.lora_r, fast.batch_size, fast.max_length) == (16, 4, 160)
    # Nothing held out below the minimum: nothing to stop on.
    assert plan_training(2, 600).patience is None
    # A base with fewer layers than the recipe adapts gets every layer.
    assert fast.adapted_layers(6) == range(6)


def test_a_stored_plan_reads_back_as_legacy_and_keeps_its_checkpoint_fingerprint() -> None:
    plan = TrainingPlan(**STORED_BEFORE)
    assert plan.fingerprint_dict() == STORED_BEFORE
    base = BaseModelRef(model_id="base/1", path=Path("/nowhere"))
    samples = [TextSample.of(1, "one piece"), TextSample.of(2, "another piece")]
    # The fingerprint exactly as it was computed before the new fields existed: a run that
    # was checkpointed then resumes instead of starting over.
    before = hashlib.sha256(
        json.dumps(
            {
                "base": base.model_id,
                "plan": STORED_BEFORE,
                "samples": [s.content_hash for s in samples],
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    assert run_fingerprint(base, plan, samples) == before
    fast = plan_training(40, 40 * 280)
    assert run_fingerprint(base, fast, samples) != before


def test_target_modules_name_each_adapted_layer_or_every_projection() -> None:
    legacy = plan_training(40, 40 * 280, recipe="legacy")
    assert target_modules(legacy, LAYERS) == [
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
    ]  # fmt: skip
    names = target_modules(plan_training(40, 40 * 280), LAYERS)
    assert len(names) == 10 * 7
    assert {int(n.split(".")[2]) for n in names} == set(range(20, 30))
    assert "model.layers.20.self_attn.q_proj" in names and "model.layers.29.mlp.down_proj" in names


@pytest.mark.parametrize(
    ("losses", "patience", "stops"),
    [
        ([2.0, 1.5, 1.6], 1, True),
        ([2.0, 1.5, 1.6], 2, False),
        ([2.0, 1.5, 1.6, 1.7], 2, True),
        ([2.0, 1.5], 1, False),
        ([2.0, 2.0], 1, True),  # no lower loss is no improvement
        ([], 1, False),
    ],
)
def test_early_stopping_waits_patience_epochs_without_a_lower_loss(
    losses: list[float], patience: int, stops: bool
) -> None:
    plan = TrainingPlan(**{**STORED_BEFORE, "patience": patience})
    evaluations = [(9 * (i + 1), loss) for i, loss in enumerate(losses)]
    assert _should_stop_early(evaluations, plan) is stops
    assert _should_stop_early(evaluations, TrainingPlan(**STORED_BEFORE)) is False


def test_unknown_recipe_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown recipe"):
        plan_training(40, 4000, recipe="turbo")
