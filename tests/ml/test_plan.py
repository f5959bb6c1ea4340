from __future__ import annotations

import random

import pytest

from tests.ml.factories import text_samples
from twinwork.ml.text import MIN_TRAINING_SAMPLES, TextSample, plan_training, split_heldout


def test_fewer_samples_get_more_epochs_a_lower_rank_and_smaller_batches() -> None:
    small = plan_training(5, 5 * 300)
    medium = plan_training(40, 40 * 300)
    large = plan_training(400, 400 * 300)
    assert small.epochs > medium.epochs > large.epochs
    assert small.lora_r < medium.lora_r < large.lora_r
    assert small.batch_size <= medium.batch_size
    assert small.lora_dropout >= large.lora_dropout
    for plan in (small, medium, large):
        assert plan.lora_alpha == 2 * plan.lora_r


def test_longer_samples_get_longer_sequences_within_bounds() -> None:
    short = plan_training(40, 40 * 100)
    long = plan_training(40, 40 * 1500)
    huge = plan_training(40, 40 * 100_000)
    assert short.max_length < long.max_length <= huge.max_length == 512
    assert short.max_length >= 96
    assert all(p.max_length % 32 == 0 for p in (short, long, huge))


def test_max_steps_caps_the_total_number_of_steps() -> None:
    plan = plan_training(40, 12_000, max_steps=7)
    assert plan.total_steps(36) == 7
    # The default (fast) recipe runs half the legacy plan's four epochs.
    assert plan_training(40, 12_000).total_steps(36) == 2 * 9
    assert plan_training(40, 12_000, recipe="legacy").total_steps(36) == 4 * 9


def test_plan_round_trips_through_a_plain_dict() -> None:
    plan = plan_training(12, 3000)
    assert type(plan)(**plan.as_dict()) == plan


def test_plan_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        plan_training(0, 0)
    with pytest.raises(ValueError):
        plan_training(5, 100, max_steps=0)


@pytest.mark.parametrize("n", [3, 4, 7, 10, 25, 80, 1000])
def test_split_is_disjoint_complete_and_keeps_enough_on_both_sides(n: int) -> None:
    samples = text_samples(n)
    plan = plan_training(n, sum(len(s.text) for s in samples))
    train, heldout = split_heldout(samples, plan)
    assert {s.sample_id for s in train}.isdisjoint(s.sample_id for s in heldout)
    assert sorted(s.sample_id for s in train + heldout) == [s.sample_id for s in samples]
    assert 1 <= len(heldout) <= 50
    assert len(train) >= 2


def test_split_does_not_depend_on_order_or_ids() -> None:
    samples = [TextSample.of(i, f"piece number {i} about lanterns") for i in range(20)]
    plan = plan_training(20, 600)
    _, heldout = split_heldout(samples, plan)
    shuffled = samples[:]
    random.Random(3).shuffle(shuffled)
    renumbered = [TextSample.of(s.sample_id + 100, s.text) for s in shuffled]
    _, heldout_again = split_heldout(renumbered, plan)
    assert {s.content_hash for s in heldout} == {s.content_hash for s in heldout_again}


def test_too_few_samples_hold_nothing_out() -> None:
    samples = text_samples(MIN_TRAINING_SAMPLES - 1)
    train, heldout = split_heldout(samples, plan_training(2, 200))
    assert heldout == [] and train == samples


def test_duplicate_texts_never_straddle_the_split() -> None:
    samples = [TextSample.of(i, f"text {i % 4}") for i in range(12)]
    train, heldout = split_heldout(samples, plan_training(12, 100))
    assert {s.content_hash for s in train}.isdisjoint(s.content_hash for s in heldout)
