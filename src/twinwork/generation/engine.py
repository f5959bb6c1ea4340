"""Generating for a buyer in this process: the ticket names the approved version and the
model's modality, and creation's runtime runs that modality's generator with the version's
adapter (fetched from storage into a local cache, checked against its hash)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twinwork.config import Settings
from twinwork.creation import runtime
from twinwork.generation.service import GenerationTicket
from twinwork.kit.storage import ObjectStorage


async def generate_output(
    settings: Settings, storage: ObjectStorage, ticket: GenerationTicket, brief: str
) -> str:
    """Slow (seconds on CPU): call it with no transaction open."""
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
) -> runtime.Work:
    """The text and, for a modality whose work is files, the files and their preview
    copies. Slow: call it with no transaction open."""
    return await runtime.create(
        settings,
        storage,
        modality=ticket.modality,
        artifact_key=ticket.artifact_key,
        artifact_hash=ticket.artifact_hash,
        brief=brief,
        options=options,
        attachments=attachments,
    )
