"""This process's text engine: the base model loaded once, personal adapters fetched from
storage into a local cache (checked against their hash) and kept loaded in a small LRU."""

from __future__ import annotations

import asyncio
import threading

from twinwork.config import Settings
from twinwork.creation import artifacts
from twinwork.kit.storage import ObjectStorage
from twinwork.ml.text import TextEngine, ensure_base_model, get_engine

_lock = threading.Lock()
_engine: TextEngine | None = None


def text_engine(settings: Settings) -> TextEngine:
    global _engine
    with _lock:
        if _engine is None:
            base = ensure_base_model(settings.resolved_model_cache_dir, settings.text_base_model)
            _engine = get_engine(base)
        return _engine


def evict_adapter(artifact_hash: str) -> None:
    """Forget an erased adapter; a no-op where this process never loaded the engine."""
    if _engine is not None:
        _engine.evict(artifact_hash)


async def generate_text(
    settings: Settings,
    storage: ObjectStorage,
    *,
    artifact_key: str,
    artifact_hash: str,
    brief: str,
    max_new_tokens: int | None = None,
) -> str:
    adapter_dir = await artifacts.fetch_adapter(storage, settings, artifact_key, artifact_hash)
    engine = await asyncio.to_thread(text_engine, settings)
    return await asyncio.to_thread(
        engine.generate,
        brief,
        adapter_dir=adapter_dir,
        adapter_key=artifact_hash,
        max_new_tokens=max_new_tokens or settings.generation_max_new_tokens,
    )
