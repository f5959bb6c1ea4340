"""The serving engine: a base model with an adapter bank, its cache, and the batching loop."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import torch

from twinwork.ml.engine.bank import DEFAULT_TARGETS, AdapterBank
from twinwork.ml.engine.cache import AdapterCache, CacheStats, Loader
from twinwork.ml.engine.sampling import Sampling
from twinwork.ml.engine.scheduler import Completion, Request, Scheduler


class MultiAdapterEngine:
    """Serves any number of LoRA adapters of one base model, many at once in one batch.

    ``model`` is a loaded Hugging Face causal LM (its target linear layers are wrapped in place:
    the engine owns it from now on); ``decode`` turns generated token ids into text;
    ``stop_ids`` end an answer (end of text, end of turn).
    """

    def __init__(
        self,
        model: Any,
        *,
        decode: Callable[[Sequence[int]], str],
        stop_ids: Collection[int],
        base_model: str | None = None,
        slots: int = 16,
        max_rank: int = 64,
        max_batch: int = 16,
        cpu_capacity: int = 32,
        targets: Iterable[str] = DEFAULT_TARGETS,
        dtype: torch.dtype | None = None,
        context_length: int | None = None,
    ) -> None:
        self.model = model.eval()
        self.bank = AdapterBank(
            model, slots=slots, max_rank=max_rank, targets=targets, base_model=base_model,
            dtype=dtype,
        )  # fmt: skip
        self.cache = AdapterCache(self.bank, cpu_capacity=cpu_capacity)
        config = getattr(model, "config", None)
        context = context_length or getattr(config, "max_position_embeddings", None) or 2048
        self.scheduler = Scheduler(
            model,
            self.bank,
            self.cache,
            decode=decode,
            stop_ids=stop_ids,
            context_length=int(context),
            max_batch=max_batch,
        )

    @property
    def context_length(self) -> int:
        return self.scheduler.context_length

    def register(self, key: str, loader: Loader) -> None:
        """How to read adapter ``key`` from storage (called on a miss of both tiers)."""
        self.cache.register(key, loader)

    def submit(
        self,
        prompt_ids: Sequence[int],
        adapter: str | None = None,
        sampling: Sampling | None = None,
    ) -> Request:
        """Start generating; returns a handle to wait on, stream from or cancel."""
        return self.scheduler.submit(prompt_ids, adapter, sampling or Sampling())

    def generate(
        self,
        prompt_ids: Sequence[int],
        adapter: str | None = None,
        sampling: Sampling | None = None,
        *,
        timeout: float | None = None,
    ) -> Completion:
        return self.submit(prompt_ids, adapter, sampling).result(timeout)

    def prefetch(self, key: str) -> bool:
        """Load ``key`` ahead of its first request (a buyer opened the model's page)."""
        with self.scheduler.between_steps():
            return self.cache.prefetch(key)

    def pin(self, key: str) -> None:
        with self.scheduler.between_steps():
            self.cache.pin(key)

    def unpin(self, key: str) -> None:
        self.cache.unpin(key)

    def erase(self, key: str) -> bool:
        """Forget ``key`` in every tier at once; its running and queued requests fail."""
        return self.scheduler.erase(key)

    def stats(self) -> CacheStats:
        return self.cache.stats()

    def close(self) -> None:
        self.scheduler.close()
