from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ml.conftest import TrainedAdapter
from twinwork.ml.text import BaseModelRef, TextEngine, get_engine

pytestmark = pytest.mark.slow

BRIEF = "Lyrics about leaving home"


@pytest.fixture(scope="module")
def engine(base_model: BaseModelRef) -> TextEngine:
    return get_engine(base_model)


def test_engine_is_one_per_base_and_generates_with_and_without_an_adapter(
    engine: TextEngine, base_model: BaseModelRef, trained_adapter: TrainedAdapter
) -> None:
    assert get_engine(base_model) is engine
    model = engine.model
    adapter_dir = trained_adapter.result.adapter_dir

    plain = engine.generate(BRIEF, adapter_dir=None, max_new_tokens=16, seed=1)
    personal = engine.generate(
        BRIEF, adapter_dir=adapter_dir, adapter_key="v1", max_new_tokens=16, seed=1
    )
    assert plain and personal
    assert plain != personal
    assert "<|im" not in plain + personal and "assistant" not in personal.lower()[:12]
    # Same seed, same text; the adapter was merged into the one loaded base, not a copy.
    assert (
        engine.generate(BRIEF, adapter_dir=adapter_dir, adapter_key="v1", max_new_tokens=16, seed=1)
        == personal
    )
    assert engine.model is model
    # The engine is process-wide: other tests' adapters may be loaded too; v1 is the newest.
    assert engine.adapter_keys[-1] == "v1"

    # Switching back restores the base weights exactly.
    assert engine.generate(BRIEF, adapter_dir=None, max_new_tokens=16, seed=1) == plain


def test_evict_forgets_the_adapter_and_restores_the_base(
    engine: TextEngine, trained_adapter: TrainedAdapter
) -> None:
    adapter_dir = trained_adapter.result.adapter_dir
    plain = engine.generate(BRIEF, adapter_dir=None, max_new_tokens=8, temperature=0)
    engine.generate(BRIEF, adapter_dir=adapter_dir, adapter_key="erase-me", max_new_tokens=4)
    assert "erase-me" in engine.adapter_keys
    engine.evict("erase-me")
    engine.evict("never-loaded")
    assert "erase-me" not in engine.adapter_keys
    assert engine.generate(BRIEF, adapter_dir=None, max_new_tokens=8, temperature=0) == plain


def test_adapter_keys_list_the_least_recently_used_first(
    engine: TextEngine, trained_adapter: TrainedAdapter
) -> None:
    # Eviction itself (slots, CPU tier, storage) is tested in tests/ml/engine/test_cache.py.
    adapter_dir = trained_adapter.result.adapter_dir
    for key in ("a", "b", "a", "c"):
        engine.generate(BRIEF, adapter_dir=adapter_dir, adapter_key=key, max_new_tokens=1)
    assert engine.adapter_keys[-3:] == ["b", "a", "c"]
    for key in ("a", "b", "c"):
        engine.evict(key)
    assert not {"a", "b", "c"} & set(engine.adapter_keys)


@pytest.fixture(scope="module")
def fp32_engine(base_model: BaseModelRef) -> Iterator[TextEngine]:
    """A private engine in fp32: in fp16, a row's arithmetic in a batch differs from its
    arithmetic alone in the last bits, enough to flip a sampled token now and then."""
    import torch

    engine = TextEngine(base_model, slots=2, max_rank=16, dtype=torch.float32)
    yield engine
    engine.close()


def test_concurrent_requests_for_different_adapters_match_sequential_ones(
    fp32_engine: TextEngine, trained_adapter: TrainedAdapter
) -> None:
    engine = fp32_engine
    adapter_dir = trained_adapter.result.adapter_dir
    jobs = [("p1", adapter_dir), (None, None), ("p1", adapter_dir), (None, None)]

    def run(key: str | None, directory: Path | None, seed: int) -> str:
        return engine.generate(
            BRIEF, adapter_dir=directory, adapter_key=key, max_new_tokens=8, seed=seed
        )

    expected = [run(k, d, i) for i, (k, d) in enumerate(jobs)]
    results: dict[int, str] = {}
    threads = [
        threading.Thread(target=lambda i=i, k=k, d=d: results.__setitem__(i, run(k, d, i)))
        for i, (k, d) in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(len(jobs))] == expected
    engine.evict("p1")


def test_an_adapter_for_another_architecture_is_refused(
    engine: TextEngine, trained_adapter: TrainedAdapter, tmp_path: Path
) -> None:
    broken = tmp_path / "dora"
    shutil.copytree(trained_adapter.result.adapter_dir, broken)
    config = json.loads((broken / "adapter_config.json").read_text())
    (broken / "adapter_config.json").write_text(json.dumps({**config, "use_dora": True}))
    with pytest.raises(ValueError, match="use_dora"):
        engine.generate(BRIEF, adapter_dir=broken, adapter_key="dora", max_new_tokens=1)
    assert "dora" not in engine.adapter_keys


def test_served_logits_match_peft_for_a_trained_adapter(
    engine: TextEngine, base_model: BaseModelRef, trained_adapter: TrainedAdapter
) -> None:
    import torch
    from peft import PeftModel

    from twinwork.ml.text.loading import load_model, load_tokenizer, quiet_peft
    from twinwork.ml.text.prompt import prompt_ids

    adapter_dir = trained_adapter.result.adapter_dir
    key = engine.register(adapter_dir, "ref")
    ids = torch.tensor([prompt_ids(load_tokenizer(base_model), BRIEF)])
    serving = engine.engine
    # Between two decode steps of the engine's loop: the bank serves one batch at a time.
    with serving.scheduler.step_lock, torch.inference_mode():
        slot = serving.cache.acquire(key)
        try:
            with serving.bank.use([slot]):
                served = engine.model(input_ids=ids).logits.float()
            plain_served = engine.model(input_ids=ids).logits.float()
        finally:
            serving.cache.release(key)
    with quiet_peft():
        reference = PeftModel.from_pretrained(load_model(base_model), str(adapter_dir)).eval()
    with torch.inference_mode():
        expected = reference(input_ids=ids).logits
        with reference.disable_adapter():
            plain = reference(input_ids=ids).logits

    def relative(a: torch.Tensor, b: torch.Tensor) -> float:
        return float((a - b).norm() / b.norm())

    # The adapter moves the logits by far more than the fp16 serving copy's rounding does.
    effect = relative(expected, plain)
    assert effect > 0.02
    assert relative(served, expected) < effect / 5
    assert relative(plain_served, plain) < effect / 5
    engine.evict("ref")
