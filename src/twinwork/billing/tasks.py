from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.billing.earnings import earnings_service
from twinwork.billing.subscription import RenewalCharge, RenewalOutcome, subscription_service
from twinwork.config import get_settings
from twinwork.kit.db import make_engine, make_sessionmaker, unit_of_work, utcnow
from twinwork.kit.jobs import huey

log = logging.getLogger(__name__)
ENDED = ("lapsed", "ended")
STUCK_PAYOUT_AFTER = timedelta(minutes=5)
T = TypeVar("T")


async def renew_due(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> list[RenewalOutcome]:
    """Renew, retry, end or lapse every subscription that is due; a membership that ends
    switches its owner's models off (never erases them)."""
    now = now or utcnow()
    async with unit_of_work(sessionmaker, writes=False) as session:
        due = await subscription_service.due(session, now)
    outcomes = []
    for subscription_id in due:
        try:
            outcome = await _renew_one(sessionmaker, subscription_id, now)
        except Exception:  # one bad subscription must not stop everybody else's renewal
            log.exception("renewing subscription %s failed; retried next run", subscription_id)
            continue
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


async def _renew_one(
    sessionmaker: async_sessionmaker[AsyncSession], subscription_id: int, now: datetime
) -> RenewalOutcome | None:
    async with unit_of_work(sessionmaker) as session:
        step = await subscription_service.prepare_renewal(session, subscription_id, now)
    if isinstance(step, RenewalCharge):
        result = await subscription_service.charge(step)
        async with unit_of_work(sessionmaker) as session:
            step = await subscription_service.record_renewal(session, step, result, now)
    if step is None:
        return None
    if step.status in ENDED:
        await switch_off_models(sessionmaker, step.user_id)
    return step


async def switch_off_models(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> int:
    from twinwork.creation.service import creation_service  # creation builds on billing

    async with unit_of_work(sessionmaker) as session:
        return await creation_service.deactivate_all_for_owner(session, user_id)


@huey.periodic_task(crontab(minute="13"))
def renew_subscriptions() -> int:
    return len(_with_sessionmaker(renew_due))


async def send_payout_now(sessionmaker: async_sessionmaker[AsyncSession], payout_id: int) -> str:
    """Start, transfer and record one payout; returns its status afterwards."""
    async with unit_of_work(sessionmaker) as session:
        transfer = await earnings_service.start_transfer(session, payout_id)
    if transfer is None:
        return "skipped"
    result = await earnings_service.transfer(transfer)
    async with unit_of_work(sessionmaker) as session:
        payout = await earnings_service.record_transfer(session, transfer, result)
        return payout.status


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


def _with_sessionmaker(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = make_engine(get_settings().resolved_database_url, pooled=False)
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())


@huey.task(retries=0)
def send_payout(payout_id: int) -> str:
    return _with_sessionmaker(lambda sm: send_payout_now(sm, payout_id))


@huey.periodic_task(crontab(minute="*/10"))
def retry_unfinished_payouts() -> int:
    return len(_with_sessionmaker(finish_unfinished_payouts))


@huey.periodic_task(crontab(minute="23"))
def clear_pending_earnings() -> int:
    return _with_sessionmaker(clear_earnings)
