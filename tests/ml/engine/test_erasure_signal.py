"""Erasure reaches an engine in another process through the installation's signal: two engines
on the real base (as two serving processes would hold), the second listening through the same
signal path processes use (the data dir's log embedded, Redis scaled out). The erased
adapter's slot is wiped there, its running and queued requests fail, its batch mate finishes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from twinwork.config import get_settings
from twinwork.creation import erasure_hooks
from twinwork.ml.engine import (
    AdapterErased,
    MultiAdapterEngine,
    Sampling,
    UnknownAdapter,
    read_peft_adapter,
)
from twinwork.ml.text import BaseModelRef
from twinwork.ml.text.loading import load_model, load_tokenizer
from twinwork.ml.text.prompt import prompt_ids

pytestmark = pytest.mark.slow

# Long enough that neither running row can finish while the signal travels (a poll or two):
# the queued request can only join once the erased row has left, and is then refused.
LONG = Sampling(temperature=0, max_new_tokens=300, stop_at_eos=False)
SHORT = Sampling(temperature=0, max_new_tokens=24, stop_at_eos=False)


def _engine(base: BaseModelRef, adapters: dict[str, Path], tokenizer: Any) -> MultiAdapterEngine:
    engine = MultiAdapterEngine(
        load_model(base),
        decode=lambda ids: str(tokenizer.decode(list(ids), skip_special_tokens=True)),
        stop_ids={int(tokenizer.eos_token_id)},
        base_model=base.model_id,
        slots=3,
        max_rank=16,
        # Two rows at most: a third request waits in the queue.
        max_batch=2,
        context_length=512,
    )
    for name, path in adapters.items():
        engine.register(name, lambda path=path: read_peft_adapter(path))
    return engine


@pytest.fixture(scope="module")
def engines(
    base_model: BaseModelRef, peft_adapters: dict[str, Path]
) -> Iterator[tuple[MultiAdapterEngine, MultiAdapterEngine, Any]]:
    tokenizer = load_tokenizer(base_model)
    erasing = _engine(base_model, peft_adapters, load_tokenizer(base_model))
    serving = _engine(base_model, peft_adapters, load_tokenizer(base_model))
    yield erasing, serving, tokenizer
    erasing.close()
    serving.close()


def test_an_erasure_in_one_engine_wipes_the_slot_in_the_other(
    engines: tuple[MultiAdapterEngine, MultiAdapterEngine, Any], backends: object
) -> None:
    erasing, serving, tokenizer = engines
    settings = get_settings()
    publisher = erasure_hooks.new_eviction_signal(settings)
    listener = erasure_hooks.new_eviction_signal(settings)
    listener.listen(serving.erase)
    try:
        for engine in (erasing, serving):
            assert engine.prefetch("wide") and engine.prefetch("narrow")
        slot = serving.cache._slots["wide"]  # where its factors live in the serving bank
        layer = next(iter(serving.bank.layers.values()))
        assert torch.count_nonzero(layer.lora_a[slot]) > 0

        ids = prompt_ids(tokenizer, "Lyrics about leaving home")
        running = serving.submit(ids, "wide", LONG)
        mate = serving.submit(ids, "narrow", LONG)
        queued = serving.submit(ids, "wide", SHORT)  # the batch is full: it waits
        next(iter(running))  # the erased adapter's row is decoding
        assert not queued.done

        started = time.monotonic()
        assert erasing.erase("wide")
        publisher.publish("wide")

        with pytest.raises(AdapterErased):
            running.result(timeout=30)
        with pytest.raises(AdapterErased):
            queued.result(timeout=30)
        heard_after = time.monotonic() - started
        assert heard_after < 5.0
        # The batch mate on another adapter is untouched and finishes its answer.
        assert len(mate.result(timeout=120).token_ids) == LONG.max_new_tokens
        # The slot is wiped and forgotten; nothing can bring the adapter back.
        assert "wide" not in serving.cache.resident()
        assert not serving.cache.knows("wide")
        assert torch.count_nonzero(layer.lora_a[slot]) == 0
        assert torch.count_nonzero(layer.lora_bt[slot]) == 0
        with pytest.raises((AdapterErased, UnknownAdapter)):
            serving.submit(ids, "wide", SHORT).result(timeout=10)
        # The other adapter still serves.
        assert serving.generate(ids, "narrow", SHORT, timeout=120).token_ids
    finally:
        listener.close()
        publisher.close()
