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
from typing import Any

from twinwork.config import Settings
from twinwork.creation import artifacts
from twinwork.kit.storage import ObjectStorage
from twinwork.ml import (
    GeneratedFile,
    GenerateRequest,
    Modality,
    ModelEnvironment,
    get_modality,
    modalities,
)

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
) -> tuple[Modality[Any], GenerateRequest]:
    """The modality and its request, with the stored adapter fetched into the local cache."""
    spec = get_modality(modality)
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
    return await asyncio.to_thread(spec.generate, request)


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
) -> Work:
    """Like ``generate``, and for a modality whose work is files (``generate_files``), the
    files and their preview copies too. Slow: call it with no transaction open."""
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
    )
    return await asyncio.to_thread(_make, spec, request)


def _make(spec: Modality[Any], request: GenerateRequest) -> Work:
    text = spec.generate(request)
    if spec.generate_files is None:
        return Work(text)
    files = tuple(spec.generate_files(request))
    # No preview copies, no preview files: a full file is never shown before it is paid for.
    previews = tuple(spec.preview_files(files)) if spec.preview_files is not None else ()
    return Work(text, files, previews)


def evict(artifact_hash: str) -> None:
    """Make every modality forget an erased adapter held in this process's memory."""
    for spec in modalities():
        if spec.evict is not None:
            spec.evict(artifact_hash)


def warm_up(settings: Settings) -> threading.Thread:
    """Load every modality's base model in a background thread, so the first preview after
    start-up does not wait for it (over 30 s for the text base on a fresh data dir).

    Returns at once; a failure is logged and left for the first request to report."""

    def warm_all() -> None:
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
