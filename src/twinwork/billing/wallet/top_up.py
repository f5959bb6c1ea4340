"""Card top-ups as flows over several units of work: the charge runs with no transaction
open, between the commit that records the pending payment and the one that records the
answer (see ``wallet.service``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.billing.models import Payment
from twinwork.billing.schemas import TopUpIn
from twinwork.billing.wallet.service import TopUpCharge, wallet_service
from twinwork.kit.db import end_transaction_early, unit_of_work, utcnow
from twinwork.kit.faults import crash_point

log = logging.getLogger(__name__)
STUCK_CHARGE_AFTER = timedelta(minutes=5)
"""A card charge unrecorded this long after it began had its request die: a job takes over."""


async def top_up(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    user: User,
    body: TopUpIn,
    idempotency_key: str | None,
) -> Payment:
    """A request's top-up: the request's own ``session`` ends first (on SQLite an open write
    would hold the database's lock through the card network's answer), then
    ``top_up_by_card``."""
    await end_transaction_early(session)
    return await top_up_by_card(sessionmaker, user, body, idempotency_key)


async def top_up_by_card(
    sessionmaker: async_sessionmaker[AsyncSession],
    user: User,
    body: TopUpIn,
    idempotency_key: str | None,
) -> Payment:
    """A card top-up, with no transaction of the caller's open: commit the pending payment,
    charge the card with no transaction open, record the answer in a unit of its own, so a
    charge is never made without a committed row that knows of it. A decline is recorded
    first, then raised (PaymentDeclined, 402)."""
    async with unit_of_work(sessionmaker) as write:
        step = await wallet_service.start_top_up(write, user, body, idempotency_key)
    if isinstance(step, TopUpCharge):
        result = await wallet_service.charge(step)
        crash_point("wallet.top_up.charged")
        async with unit_of_work(sessionmaker) as write:
            step = await wallet_service.record_top_up(write, step.payment_id, result, utcnow())
    wallet_service.raise_if_declined(step)
    return step


async def finish_unrecorded_top_ups(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> list[str]:
    """Top-ups whose request died before recording the answer: nothing may be charged anew
    (no card number is kept), so each is looked up at the provider under its key and
    recorded. Returns the statuses they were left in."""
    now = now or utcnow()
    async with unit_of_work(sessionmaker, writes=False) as session:
        payment_ids = await wallet_service.stuck(session, now - STUCK_CHARGE_AFTER)
    statuses = []
    for payment_id in payment_ids:
        try:
            statuses.append(await _finish_payment(sessionmaker, payment_id, now))
        except Exception:  # one bad payment must not hold up the others
            log.exception("pending payment %s could not be finished; retried", payment_id)
    return statuses


async def _finish_payment(
    sessionmaker: async_sessionmaker[AsyncSession], payment_id: int, now: datetime
) -> str:
    async with unit_of_work(sessionmaker, writes=False) as session:
        charge_key = await wallet_service.charge_key_if_pending(session, payment_id)
    if charge_key is None:
        return "skipped"
    result = await wallet_service.lookup(charge_key)
    async with unit_of_work(sessionmaker) as session:
        payment = await wallet_service.record_top_up(session, payment_id, result, now)
        return payment.status.value
