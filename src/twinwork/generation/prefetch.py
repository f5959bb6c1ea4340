"""Loading a model's adapter into the serving engine when a buyer opens its page.

The buyer's first preview then finds the adapter in a bank slot instead of reading it from
storage. It never blocks the page: the page starts a background task and answers. It is
bounded: a few loads at once, one per adapter, and none again for an adapter loaded moments
ago (repeated views of a popular page cost nothing). It does nothing where the engine is not
loaded yet or is remote (the modality's ``prefetch`` decides), and a failure is only logged:
the preview will fetch the adapter itself.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.config import get_settings
from twinwork.creation import runtime
from twinwork.creation.models import PersonalModel
from twinwork.creation.service import creation_service
from twinwork.kit.storage import ObjectStorage

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 4
"""Loads at once; page views beyond that start none (the engine stays free for previews)."""
RECENT_SECONDS = 60.0
"""An adapter loaded this recently is not loaded again for another page view."""

_in_flight: dict[str, asyncio.Task[bool]] = {}
_recent: dict[str, float] = {}


async def prefetch_model(
    session: AsyncSession, storage: ObjectStorage, model: PersonalModel
) -> asyncio.Task[bool] | None:
    """Start loading ``model``'s approved adapter in the background, if it is on sale;
    returns the task (None when nothing was started). Call it from a page handler."""
    if model.erased_at is not None or not model.is_active:
        return None
    version = await creation_service.approved_version(session, model)
    if version is None or version.erased_at is not None:
        return None
    return start(storage, model.modality, version.artifact_key, version.artifact_hash)


def start(
    storage: ObjectStorage, modality: str, artifact_key: str, artifact_hash: str
) -> asyncio.Task[bool] | None:
    now = time.monotonic()
    for key, at in list(_recent.items()):
        if now - at > RECENT_SECONDS:
            del _recent[key]
    if artifact_hash in _in_flight or artifact_hash in _recent:
        return None
    if len(_in_flight) >= MAX_IN_FLIGHT:
        return None
    task = asyncio.ensure_future(_load(storage, modality, artifact_key, artifact_hash))
    _in_flight[artifact_hash] = task
    task.add_done_callback(lambda _: _in_flight.pop(artifact_hash, None))
    return task


async def _load(
    storage: ObjectStorage, modality: str, artifact_key: str, artifact_hash: str
) -> bool:
    try:
        resident = await runtime.prefetch(
            get_settings(),
            storage,
            modality=modality,
            artifact_key=artifact_key,
            artifact_hash=artifact_hash,
        )
    except Exception:
        log.warning("prefetching adapter %s failed", artifact_hash[:12], exc_info=True)
        return False
    if resident:
        _recent[artifact_hash] = time.monotonic()
    return resident


def forget() -> None:
    """Forget what was loaded recently (tests; an adapter erased and uploaded again)."""
    _recent.clear()
