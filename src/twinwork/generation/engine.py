"""Generating for a buyer in this process: the ticket names the approved version and the
model's modality, and creation's runtime runs that modality's generator with the version's
adapter (fetched from storage into a local cache, checked against its hash)."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from twinwork.config import Settings
from twinwork.creation import runtime
from twinwork.generation.concurrency import generation_turn
from twinwork.generation.service import GenerationTicket, ModelUnavailable
from twinwork.kit.storage import ObjectStorage
from twinwork.ml.streaming import TextSink


async def generate_output(
    settings: Settings, storage: ObjectStorage, ticket: GenerationTicket, brief: str
) -> str:
    """Slow (seconds on CPU): call it with no transaction open."""
    with _withdrawn_meanwhile():
        return await runtime.generate(
            settings,
            storage,
            modality=ticket.modality,
            artifact_key=ticket.artifact_key,
            artifact_hash=ticket.artifact_hash,
            brief=brief,
        )


async def generate_work(
    settings: Settings,
    storage: ObjectStorage,
    ticket: GenerationTicket,
    brief: str,
    *,
    options: Mapping[str, Any] | None = None,
    attachments: Mapping[str, bytes] | None = None,
    sink: TextSink | None = None,
) -> runtime.Work:
    """The text and, for a modality whose work is files, the files and their preview
    copies. Slow: call it with no transaction open. Waits its turn where the operator limits
    the generations running at once (``generation.concurrency``)."""
    async with generation_turn(settings.generation_concurrency):
        with _withdrawn_meanwhile():
            return await runtime.create(
                settings,
                storage,
                modality=ticket.modality,
                artifact_key=ticket.artifact_key,
                artifact_hash=ticket.artifact_hash,
                brief=brief,
                options=options,
                attachments=attachments,
                sink=sink,
            )


@contextmanager
def _withdrawn_meanwhile() -> Iterator[None]:
    """An adapter erased or switched off while the request waited for the engine fails that
    request alone (the engine's ``AdapterErased``): the buyer gets a 409 that says so, not a
    500. Nothing was recorded or bought with it."""
    try:
        yield
    except Exception as exc:
        # Looked up, not imported: the engine (and torch) load only when a model runs.
        errors = sys.modules.get("twinwork.ml.engine.errors")
        if errors is not None and isinstance(exc, errors.AdapterErased):
            raise ModelUnavailable(
                "This model was switched off or erased while your request waited; nothing "
                "was recorded or charged for it."
            ) from exc
        raise
