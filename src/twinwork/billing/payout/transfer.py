"""Payouts and clearing as jobs: a transfer runs with no transaction open, between the commit
that marks the payout processing and the one that records the answer (see
``payout.service``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.billing.payout.service import earnings_service
from twinwork.kit.db import unit_of_work, utcnow
from twinwork.kit.faults import crash_point

log = logging.getLogger(__name__)
STUCK_PAYOUT_AFTER = timedelta(minutes=5)


async def send_payout_now(sessionmaker: async_sessionmaker[AsyncSession], payout_id: int) -> str:
    """Start, transfer and record one payout; returns its status afterwards."""
    async with unit_of_work(sessionmaker) as session:
        transfer = await earnings_service.start_transfer(session, payout_id)
    if transfer is None:
        return "skipped"
    result = await earnings_service.transfer(transfer)
    crash_point("payout.transferred")
    async with unit_of_work(sessionmaker) as session:
        payout = await earnings_service.record_transfer(session, transfer, result)
        return payout.status.value


async def finish_unfinished_payouts(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> list[str]:
    """Payouts whose job never ran or died mid-way: run them again (same transfer key)."""
    cutoff = (now or utcnow()) - STUCK_PAYOUT_AFTER
    async with unit_of_work(sessionmaker, writes=False) as session:
        ids = await earnings_service.unfinished(session, cutoff)
    statuses = []
    for payout_id in ids:
        try:
            statuses.append(await send_payout_now(sessionmaker, payout_id))
        except Exception:  # one bad payout must not hold up the others
            log.exception("payout %s failed to send; retried next run", payout_id)
    return statuses


async def clear_earnings(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> int:
    async with unit_of_work(sessionmaker) as session:
        return await earnings_service.clear_due(session, now or utcnow())
