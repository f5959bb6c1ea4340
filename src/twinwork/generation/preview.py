"""A preview as one flow over several units of work: the model runs with no transaction open,
between the short read that checks the model, the buyer's allowance and what the buyer sent
with the brief, and the short write that records the generation (checking both again) with,
for a modality whose work is files, those files signed and stored (``generation.files``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.generation import files
from twinwork.generation.engine import generate_work
from twinwork.generation.models import Generation
from twinwork.generation.service import GenerationView, generation_service
from twinwork.kit.db import end_transaction_early, unit_of_work
from twinwork.kit.ratelimit import check_generation_attempt
from twinwork.kit.storage import ObjectStorage
from twinwork.ml import get_modality
from twinwork.ml.streaming import TextSink


def check_brief(modality: str, brief: str) -> None:
    """Refuse a brief longer than the model's modality takes (its ``brief_max_chars``)
    before anything runs: the API's own limit is the longest any modality takes."""
    spec = get_modality(modality)
    if len(brief) > spec.brief_max_chars:
        raise files.InvalidGenerationRequest(
            f"This brief has {len(brief):,} characters; a {spec.label.lower()} model takes at "
            f"most {spec.brief_max_chars:,}. Shorten it or split it into parts.",
            field="brief",
        )


async def preview(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    buyer: User,
    model_id: int,
    brief: str,
    *,
    options_field: str | None = None,
    options: Mapping[str, Any] | None = None,
    attachments: Mapping[str, str] | None = None,
    sink: TextSink | None = None,
) -> GenerationView:
    """Generate from an active model and record it; the request's own ``session`` is ended
    first, so no transaction is held while the model runs. Options and attachments (base64)
    are checked before anything runs: a refused one leaves nothing stored or counted."""
    ticket = await generation_service.ticket(session, buyer, model_id)
    check_brief(ticket.modality, brief)
    given = await files.check_input(ticket.modality, options_field, options, attachments)
    # Counted once the request is known to be good: a typo does not use up the buyer's turns.
    check_generation_attempt(buyer.id)
    await end_transaction_early(session)
    work = await generate_work(
        get_settings(),
        storage,
        ticket,
        brief,
        options=given.options,
        attachments=given.attachments,
        sink=sink,
    )
    recorded: Generation | None = None
    try:
        async with unit_of_work(sessionmaker) as write:
            recorded = await generation_service.record(
                write,
                buyer,
                ticket,
                brief,
                work.text,
                file_count=len(work.files),
                options=given.options,
            )
            if work.files:
                await files.attach(write, storage, recorded, ticket, work)
            return await generation_service.view_of(write, recorded)
    except BaseException:
        # The files of a generation whose commit failed would be nobody's.
        if recorded is not None and work.files:
            await files.discard(storage, recorded)
        raise
