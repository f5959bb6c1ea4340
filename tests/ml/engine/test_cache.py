"""The adapter cache's tiers on a tiny stand-in model: slots, CPU tier, storage, pins, erasure."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from twinwork.ml.engine import (
    AdapterBank,
    AdapterCache,
    LoraFactors,
    LoraWeights,
    NoFreeSlot,
    UnknownAdapter,
)


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.q_proj = nn.Linear(8, 8, bias=False)
        self.down_proj = nn.Linear(8, 4, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(self.q_proj(x))


def _weights(seed: int, rank: int = 2) -> LoraWeights:
    g = torch.Generator().manual_seed(seed)
    return LoraWeights(
        {
            "q_proj": LoraFactors(
                torch.randn(rank, 8, generator=g), torch.randn(8, rank, generator=g)
            ),
            "down_proj": LoraFactors(
                torch.randn(rank, 8, generator=g), torch.randn(4, rank, generator=g)
            ),
        }
    )


class Storage:
    """Counts reads, like a loader reading an adapter directory."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def loader(self, key: str, seed: int):  # type: ignore[no-untyped-def]
        def load() -> LoraWeights:
            self.reads.append(key)
            return _weights(seed)

        return load


def _cache(slots: int = 2, cpu: int = 1) -> tuple[Tiny, AdapterCache, Storage]:
    model = Tiny()
    cache = AdapterCache(AdapterBank(model, slots=slots, max_rank=4), cpu_capacity=cpu)
    storage = Storage()
    for i, key in enumerate("abcd"):
        cache.register(key, storage.loader(key, i))
    return model, cache, storage


def _out(model: Tiny, cache: AdapterCache, key: str) -> torch.Tensor:
    slot = cache.acquire(key)
    try:
        with torch.no_grad(), cache.bank.use([slot]):
            return model(torch.ones(1, 1, 8))
    finally:
        cache.release(key)


def test_least_recently_used_slot_moves_to_the_cpu_tier_then_to_storage() -> None:
    model, cache, storage = _cache(slots=2, cpu=1)
    first = _out(model, cache, "a")
    _out(model, cache, "b")
    _out(model, cache, "a")  # a is now the most recent
    _out(model, cache, "c")  # evicts b into the CPU tier
    assert cache.resident() == ["a", "c"]
    assert cache.in_cpu_tier() == ["b"]
    _out(model, cache, "d")  # evicts a; the CPU tier holds one: b goes back to storage
    assert cache.in_cpu_tier() == ["a"]
    assert storage.reads == ["a", "b", "c", "d"]
    # Back from the CPU tier (no storage read), computing exactly what it did before.
    torch.testing.assert_close(_out(model, cache, "a"), first)
    assert storage.reads == ["a", "b", "c", "d"]
    _out(model, cache, "b")
    assert storage.reads[-1] == "b"
    assert cache.stats().storage_reads == 5


def test_pinned_and_in_use_adapters_are_never_evicted() -> None:
    model, cache, _ = _cache(slots=2)
    cache.pin("a")
    assert cache.resident() == ["a"]
    held = cache.acquire("b")  # a running row uses b
    with pytest.raises(NoFreeSlot):
        cache.acquire("c")
    cache.release("b")
    cache.acquire("c")
    cache.release("c")
    assert held not in (None,) and cache.resident() == ["a", "c"]
    cache.unpin("a")
    _out(model, cache, "d")
    assert cache.resident() == ["c", "d"]


def test_prefetch_loads_ahead_and_erase_wipes_every_tier() -> None:
    model, cache, storage = _cache(slots=1, cpu=2)
    assert cache.prefetch("a") is True
    assert cache.resident() == ["a"]
    held = cache.acquire("a")
    assert cache.prefetch("b") is False  # no slot to be had: the CPU tier then
    assert cache.in_cpu_tier() == ["b"]
    assert cache.erase("a") is True
    assert not any(layer.lora_a[held].any() for layer in cache.bank.layers.values())
    assert cache.resident() == []
    assert cache.erase("b") is True
    assert cache.in_cpu_tier() == []
    with pytest.raises(UnknownAdapter):
        cache.acquire("b")
    assert not cache.knows("a") and not cache.knows("b")
    assert cache.erase("never-seen") is False
    assert storage.reads == ["a", "b"]


def test_a_refused_adapter_takes_no_slot() -> None:
    model = Tiny()
    cache = AdapterCache(AdapterBank(model, slots=1, max_rank=2), cpu_capacity=1)
    cache.register("big", lambda: _weights(0, rank=3))
    with pytest.raises(ValueError, match="rank 3 exceeds"):
        cache.acquire("big")
    assert cache.resident() == [] and cache.stats().loads == 0
