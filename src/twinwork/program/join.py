"""Joining the program as one flow over several units of work: commit the pending sign-up,
charge the first period with no transaction open, record the answer in a unit of its own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.kit.db import end_transaction_early, unit_of_work, utcnow
from twinwork.program.models import ProgramSubscription
from twinwork.program.renewal import charge_and_record
from twinwork.program.subscription import RenewalCharge, subscription_service


async def join_program(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    user: User,
    card_number: str,
    idempotency_key: str | None,
) -> ProgramSubscription:
    """The request's own ``session`` is ended first, so no transaction of the caller's is open
    during the charge; a decline is answered (402) from the recorded row."""
    await end_transaction_early(session)
    async with unit_of_work(sessionmaker) as write:
        step = await subscription_service.start_subscription(
            write, user, card_number, idempotency_key
        )
    if isinstance(step, RenewalCharge):
        await charge_and_record(sessionmaker, step, utcnow())
        subscription_id = step.subscription_id
    else:
        subscription_id = step.id
    return await subscription_service.signed_up(session, subscription_id)
