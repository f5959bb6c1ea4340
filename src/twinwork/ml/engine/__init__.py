"""Batched multi-adapter serving: many LoRA adapters of one base model in one batch.

Pure ML (torch and transformers, no twinwork domain). ``bank`` wraps the base model's target
linear layers with slots of stacked LoRA factors and computes every row's update in one
gathered pass; ``cache`` moves adapters between slots, a CPU tier and storage; ``scheduler``
runs continuous batching with per-row caches, sampling, streaming and cancellation; ``engine``
puts them together. See docs/engine.md.
"""

from __future__ import annotations

from twinwork.ml.engine.bank import DEFAULT_TARGETS, NO_ADAPTER, AdapterBank, BankedLinear
from twinwork.ml.engine.cache import AdapterCache, CacheStats, NoFreeSlot
from twinwork.ml.engine.engine import MultiAdapterEngine
from twinwork.ml.engine.errors import (
    AdapterErased,
    AdapterError,
    EngineClosed,
    EngineError,
    PromptTooLong,
    RequestCancelled,
    UnknownAdapter,
)
from twinwork.ml.engine.sampling import Sampling
from twinwork.ml.engine.scheduler import Completion, Request, Scheduler
from twinwork.ml.engine.weights import LoraFactors, LoraWeights, read_peft_adapter

__all__ = [
    "DEFAULT_TARGETS",
    "NO_ADAPTER",
    "AdapterBank",
    "AdapterCache",
    "AdapterErased",
    "AdapterError",
    "BankedLinear",
    "CacheStats",
    "Completion",
    "EngineClosed",
    "EngineError",
    "LoraFactors",
    "LoraWeights",
    "MultiAdapterEngine",
    "NoFreeSlot",
    "PromptTooLong",
    "Request",
    "RequestCancelled",
    "Sampling",
    "Scheduler",
    "UnknownAdapter",
    "read_peft_adapter",
]
