"""Running a personal model's stored version in this process, whatever its modality.

Every call goes through the modality registry (``twinwork.ml``): this module hands the modality
the settings it runs under and the local copy of an adapter (fetched from storage and checked
against its hash by ``artifacts``), and tells every modality to forget an erased adapter.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.from_thread
import anyio.to_thread

from twinwork.config import Settings
from twinwork.creation import artifacts, erasure_hooks
from twinwork.kit.openai_compat import OpenAICompatClient
from twinwork.kit.storage import ObjectStorage
from twinwork.ml import (
    GeneratedFile,
    GenerateRequest,
    Modality,
    ModelEnvironment,
    get_modality,
    modalities,
)
from twinwork.ml.streaming import TextSink
from twinwork.ml.text.remote import RemoteEndpoint, use_remote

log = logging.getLogger(__name__)


def model_environment(settings: Settings, modality: str) -> ModelEnvironment:
    """The settings a modality runs under: the cache of converted base models, and the
    operator's choice of base model, ``TWINWORK_<MODALITY>_BASE_MODEL`` where the settings
    have one (None leaves the modality's packaged default)."""
    base = getattr(settings, f"{modality}_base_model", None)
    return ModelEnvironment(
        cache_dir=settings.resolved_model_cache_dir,
        base_model=base if isinstance(base, str) else None,
    )


async def _request(
    settings: Settings,
    storage: ObjectStorage,
    *,
    modality: str,
    artifact_key: str,
    artifact_hash: str,
    brief: str,
    max_length: int | None,
    options: Mapping[str, Any] | None = None,
    attachments: Mapping[str, bytes] | None = None,
    sink: TextSink | None = None,
) -> tuple[Modality[Any], GenerateRequest]:
    """The modality and its request, with the stored adapter fetched into the local cache."""
    spec = get_modality(modality)
    # Before the adapter loads, so no erasure after it goes unheard; in a thread: the first
    # call may import the remote client or wait for Redis to confirm the subscription.
    await asyncio.to_thread(prepare_process, settings)
    adapter_dir = await artifacts.fetch_adapter(storage, settings, artifact_key, artifact_hash)
    return spec, GenerateRequest(
        environment=model_environment(settings, modality),
        brief=brief,
        adapter_dir=adapter_dir,
        # Keyed by content: the cache entry is the same adapter whichever version names it,
        # and erasure, which knows the hash, can evict it.
        adapter_key=artifact_hash,
        max_length=max_length or settings.generation_max_new_tokens,
        options=dict(options or {}),
        attachments=dict(attachments or {}),
        sink=sink,
    )


async def generate(
    settings: Settings,
    storage: ObjectStorage,
    *,
    modality: str,
    artifact_key: str,
    artifact_hash: str,
    brief: str,
    max_length: int | None = None,
) -> str:
    """Answer ``brief`` with a stored adapter; slow, so call it with no transaction open."""
    spec, request = await _request(
        settings,
        storage,
        modality=modality,
        artifact_key=artifact_key,
        artifact_hash=artifact_hash,
        brief=brief,
        max_length=max_length,
    )
    return await anyio.to_thread.run_sync(spec.generate, request)


@dataclass(frozen=True)
class Work:
    """What a modality made for one brief: its text (for a file modality, the caption that
    stands for the files), the files, and their watermarked preview copies."""

    text: str
    files: tuple[GeneratedFile, ...] = ()
    previews: tuple[GeneratedFile, ...] = ()


async def create(
    settings: Settings,
    storage: ObjectStorage,
    *,
    modality: str,
    artifact_key: str,
    artifact_hash: str,
    brief: str,
    options: Mapping[str, Any] | None = None,
    attachments: Mapping[str, bytes] | None = None,
    max_length: int | None = None,
    sink: TextSink | None = None,
) -> Work:
    """Like ``generate``, and for a modality whose work is files (``generate_files``), the
    files and their preview copies too. Slow: call it with no transaction open. With a
    ``sink``, a modality that streams writes the text into it as it is written."""
    spec, request = await _request(
        settings,
        storage,
        modality=modality,
        artifact_key=artifact_key,
        artifact_hash=artifact_hash,
        brief=brief,
        max_length=max_length,
        options=options,
        attachments=attachments,
        sink=sink,
    )
    # anyio's worker threads (40), not asyncio's default executor (CPU count + 4, so 6 on
    # two cores): every waiting generation holds a thread, and the engine batches them all.
    return await anyio.to_thread.run_sync(_make, spec, request)


def _make(spec: Modality[Any], request: GenerateRequest) -> Work:
    text = spec.generate(request)
    if spec.generate_files is None:
        return Work(text)
    files = tuple(spec.generate_files(request))
    # No preview copies, no preview files: a full file is never shown before it is paid for.
    previews = tuple(spec.preview_files(files)) if spec.preview_files is not None else ()
    return Work(text, files, previews)


async def prefetch(
    settings: Settings,
    storage: ObjectStorage,
    *,
    modality: str,
    artifact_key: str,
    artifact_hash: str,
) -> bool:
    """Bring a stored adapter into this process's serving engine ahead of its first request
    (a buyer opened the model's page): fetched into the local cache and copied into a slot,
    but only where the modality's engine is loaded already. Returns whether it is resident;
    False for a modality without prefetch, a cold engine or a remote one."""
    spec = get_modality(modality)
    if spec.prefetch is None:
        return False

    def fetch() -> Path:  # in the worker thread, once the modality asks for the files
        return anyio.from_thread.run(
            artifacts.fetch_adapter, storage, settings, artifact_key, artifact_hash
        )

    return await anyio.to_thread.run_sync(
        spec.prefetch, model_environment(settings, modality), fetch, artifact_hash
    )


def evict(artifact_hash: str) -> None:
    """Make every modality forget an erased adapter held in this process's memory."""
    for spec in modalities():
        if spec.evict is not None:
            spec.evict(artifact_hash)


def evict_everywhere(settings: Settings, artifact_hash: str) -> None:
    """Forget an adapter in this process at once and tell every other process to forget it
    too (erasure, a model switched off): their engines wipe its slot, their queued requests
    for it fail, their cached copies go. Call it once no copy can be fetched again."""
    configure_engine(settings)  # a remote engine is told too, even by a process never using it
    evict(artifact_hash)
    broadcast_eviction(settings, artifact_hash)


def broadcast_eviction(settings: Settings, artifact_hash: str) -> None:
    """Tell every other process to forget an adapter this one has forgotten already
    (``evict``, after ``configure_engine``)."""
    erasure_hooks.broadcast_eviction(settings, artifact_hash)


def prepare_process(settings: Settings) -> None:
    """What a process needs before it serves any adapter (cheap after the first call): the
    engine the settings choose, and the signal through which other processes' erasures
    reach it."""
    configure_engine(settings)

    def heard(artifact_hash: str) -> None:
        evict(artifact_hash)
        # On another host this cached copy is this host's own: the erasing process cannot
        # delete it. A switched-off model's copy goes too; it is fetched again if needed.
        artifacts.delete_cached_adapter(settings, artifact_hash)

    try:
        erasure_hooks.listen_for_evictions(settings, heard)
    except Exception:  # serving goes on; the failure is logged by listen_for_evictions
        pass


def configure_engine(settings: Settings) -> None:
    """Text generation on the remote OpenAI-compatible engine when ``TWINWORK_ENGINE_URL``
    is set, else on this process's own engine (see docs/engine.md)."""
    if not settings.engine_url:
        use_remote(None)
        return
    url, key = settings.engine_url, settings.engine_api_key
    timeout, publish = settings.engine_timeout_seconds, settings.engine_adapter_dir
    use_remote(
        RemoteEndpoint(
            connect=lambda: OpenAICompatClient(url, api_key=key, timeout=timeout),
            identity=(url, key, timeout, settings.engine_model, publish),
            base_model=settings.engine_model,
            publish_dir=publish.expanduser().resolve() if publish is not None else None,
            server_dir=settings.engine_server_adapter_dir,
        )
    )


def warm_up(settings: Settings) -> threading.Thread:
    """Load every modality's base model in a background thread, so the first preview after
    start-up does not wait for it (over 30 s for the text base on a fresh data dir).

    Returns at once; a failure is logged and left for the first request to report."""

    def warm_all() -> None:
        try:
            prepare_process(settings)
        except Exception:
            log.exception("choosing the serving engine failed")
        for spec in modalities():
            if spec.warm is None:
                continue
            try:
                spec.warm(model_environment(settings, spec.name))
            except Exception:
                log.exception("warming up the %s modality failed", spec.name)

    thread = threading.Thread(target=warm_all, name="twinwork-warm-up", daemon=True)
    thread.start()
    return thread
