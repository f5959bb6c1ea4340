from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.billing.earnings import earnings_service
from twinwork.billing.models import Payment
from twinwork.billing.schemas import TopUpIn
from twinwork.billing.service import TopUpCharge, wallet_service
from twinwork.billing.subscription import (
    Refund,
    RenewalCharge,
    RenewalOutcome,
    subscription_service,
)
from twinwork.config import get_settings
from twinwork.kit.db import make_engine, make_sessionmaker, unit_of_work, utcnow
from twinwork.kit.jobs import huey

log = logging.getLogger(__name__)
STUCK_PAYOUT_AFTER = timedelta(minutes=5)
STUCK_CHARGE_AFTER = timedelta(minutes=5)
"""A card charge unrecorded this long after it began had its request die: a job takes over."""
T = TypeVar("T")


async def renew_due(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> list[RenewalOutcome]:
    """Renew, retry, end or lapse every subscription that is due; a membership that ends
    switches its owner's models off (never erases them) in the same unit of work."""
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
        return await charge_and_record(sessionmaker, step, now)
    return step


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
        async with unit_of_work(sessionmaker) as write:
            step = await wallet_service.record_top_up(write, step.payment_id, result, utcnow())
    wallet_service.raise_if_declined(step)
    return step


async def charge_and_record(
    sessionmaker: async_sessionmaker[AsyncSession], charge: RenewalCharge, now: datetime
) -> RenewalOutcome:
    """Steps (2) and (3) of a subscription charge (renewal or first period), step (1) being
    committed: charge (or look up) with no transaction open, record the answer in a unit of
    its own, then refund what arrived after its membership ended."""
    result = await subscription_service.charge_or_look_up(charge)
    async with unit_of_work(sessionmaker) as session:
        outcome = await subscription_service.record_renewal(session, charge, result, now)
    if outcome.refund is not None:
        try:
            await refund_now(sessionmaker, outcome.refund)
        except Exception:  # posted in the ledger and marked "refunding": the job asks again
            log.exception("refunding invoice %s failed; retried", outcome.refund.invoice_id)
    return outcome


async def refund_now(sessionmaker: async_sessionmaker[AsyncSession], refund: Refund) -> str:
    """Refund through the provider (the ledger has it already) and record its answer."""
    result = await subscription_service.refund(refund)
    async with unit_of_work(sessionmaker) as session:
        invoice = await subscription_service.record_refund(session, refund, result)
    if not result.succeeded:
        log.error(
            "the provider refused to refund invoice %s (%s): refund it by hand",
            refund.invoice_id,
            result.failure_message,
        )
    return invoice.status


async def finish_unrecorded_charges(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> list[str]:
    """Card charges whose request or worker died before recording the answer, where nothing
    may be charged anew: top-ups (no card number is kept), sign-ups and memberships that
    ended meanwhile. Each is looked up at the provider under its key and recorded; then the
    refunds whose provider call was never confirmed are asked for again (same keys)."""
    now = now or utcnow()
    cutoff = now - STUCK_CHARGE_AFTER
    async with unit_of_work(sessionmaker, writes=False) as session:
        payment_ids = await wallet_service.stuck(session, cutoff)
        invoice_ids = await subscription_service.unrecorded_attempts(session, cutoff)
    statuses = []
    for payment_id in payment_ids:
        try:
            statuses.append(await _finish_payment(sessionmaker, payment_id, now))
        except Exception:  # one bad payment must not hold up the others
            log.exception("pending payment %s could not be finished; retried", payment_id)
    for invoice_id in invoice_ids:
        try:
            async with unit_of_work(sessionmaker, writes=False) as session:
                step = await subscription_service.prepare_lookup(session, invoice_id)
            if step is not None:
                statuses.append((await charge_and_record(sessionmaker, step, now)).status)
        except Exception:
            log.exception("unrecorded invoice %s could not be finished; retried", invoice_id)
    async with unit_of_work(sessionmaker, writes=False) as session:
        refunds = await subscription_service.refunds_due(session)
    for refund in refunds:
        try:
            statuses.append(await refund_now(sessionmaker, refund))
        except Exception:
            log.exception("refunding invoice %s failed; retried", refund.invoice_id)
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
        return payment.status


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


@huey.periodic_task(crontab(minute="*/10"))
def finish_card_charges() -> int:
    return len(_with_sessionmaker(finish_unrecorded_charges))


@huey.periodic_task(crontab(minute="23"))
def clear_pending_earnings() -> int:
    return _with_sessionmaker(clear_earnings)
