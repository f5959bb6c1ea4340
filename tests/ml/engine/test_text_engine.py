"""The text modality's settings for the engine, checked without loading a model."""

from __future__ import annotations

from twinwork.ml.text import plan_training
from twinwork.ml.text.engine import MAX_RANK


def test_every_rank_training_plans_pick_fits_a_bank_slot() -> None:
    for n_samples in (3, 12, 40, 100, 1000):
        plan = plan_training(n_samples, n_samples * 400)
        assert plan.lora_r <= MAX_RANK, n_samples
