"""A preview as one flow over several units of work: the model runs with no transaction open,
between the short read that checks the model and the buyer's allowance and the short write
that records the generation (checking both again)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.generation.engine import generate_output
from twinwork.generation.models import Generation
from twinwork.generation.service import generation_service
from twinwork.kit.db import end_transaction_early, unit_of_work
from twinwork.kit.storage import ObjectStorage


async def preview(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    buyer: User,
    model_id: int,
    brief: str,
) -> Generation:
    """Generate from an active model and record it; the request's own ``session`` is ended
    first, so no transaction is held while the model runs."""
    ticket = await generation_service.ticket(session, buyer, model_id)
    await end_transaction_early(session)
    text = await generate_output(get_settings(), storage, ticket, brief)
    async with unit_of_work(sessionmaker) as write:
        return await generation_service.record(write, buyer, ticket, brief, text)
