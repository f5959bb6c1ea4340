from __future__ import annotations

import math

import pytest

from tests.ml.conftest import TrainedAdapter
from twinwork.ml.text import STANDARD_BRIEFS, BaseModelRef, evaluate_text_adapter, get_engine

pytestmark = pytest.mark.slow


def test_personal_model_predicts_held_out_writing_better_than_the_base(
    base_model: BaseModelRef, trained_adapter: TrainedAdapter
) -> None:
    briefs = STANDARD_BRIEFS[:2]
    evaluation = evaluate_text_adapter(
        base_model,
        trained_adapter.result.adapter_dir,
        trained_adapter.heldout,
        trained_adapter.portfolio,
        briefs=briefs,
        max_new_tokens=24,
    )
    metrics = evaluation.metrics()
    assert set(metrics) == {
        "base_perplexity",
        "personal_perplexity",
        "base_style_similarity",
        "personal_style_similarity",
    }
    assert all(math.isfinite(v) for v in metrics.values())
    assert metrics["personal_perplexity"] < metrics["base_perplexity"]
    assert all(-1.0 <= metrics[k] <= 1.0 for k in metrics if k.endswith("similarity"))
    assert [s.brief for s in evaluation.samples] == list(briefs)
    assert all(s.base_text and s.personal_text for s in evaluation.samples)
    # The version under evaluation is not left in the serving cache.
    assert not any(k.startswith("evaluation:") for k in get_engine(base_model).adapter_keys)


def test_evaluation_needs_held_out_samples(
    base_model: BaseModelRef, trained_adapter: TrainedAdapter
) -> None:
    with pytest.raises(ValueError, match="held-out"):
        evaluate_text_adapter(
            base_model, trained_adapter.result.adapter_dir, [], trained_adapter.portfolio
        )
