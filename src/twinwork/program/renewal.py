"""Membership charges as flows over several units of work: each card charge (a renewal, a
first period, a refund) runs with no transaction open, between the commit of its invoice and
the one that records the answer (see ``subscription``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.kit.db import unit_of_work, utcnow
from twinwork.kit.faults import crash_point
from twinwork.program.subscription import (
    Refund,
    RenewalCharge,
    RenewalOutcome,
    subscription_service,
)

log = logging.getLogger(__name__)
STUCK_CHARGE_AFTER = timedelta(minutes=5)
"""A card charge unrecorded this long after it began had its request die: a job takes over."""


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


async def charge_and_record(
    sessionmaker: async_sessionmaker[AsyncSession], charge: RenewalCharge, now: datetime
) -> RenewalOutcome:
    """Steps (2) and (3) of a subscription charge (renewal or first period), step (1) being
    committed: charge (or look up) with no transaction open, record the answer in a unit of
    its own, then refund what arrived after its membership ended."""
    result = await subscription_service.charge_or_look_up(charge)
    crash_point("program.charge.charged")
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
    return invoice.status.value


async def finish_unrecorded_invoices(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> list[str]:
    """Membership charges whose request or worker died before recording the answer, where
    nothing may be charged anew (sign-ups, and memberships that ended meanwhile): each is
    looked up at the provider under its key and recorded. Then the refunds whose provider
    call was never confirmed are asked for again (same keys)."""
    now = now or utcnow()
    async with unit_of_work(sessionmaker, writes=False) as session:
        invoice_ids = await subscription_service.unrecorded_attempts(
            session, now - STUCK_CHARGE_AFTER
        )
    statuses = []
    for invoice_id in invoice_ids:
        try:
            async with unit_of_work(sessionmaker, writes=False) as session:
                step = await subscription_service.prepare_lookup(session, invoice_id)
            if step is not None:
                statuses.append((await charge_and_record(sessionmaker, step, now)).status.value)
        except Exception:  # one bad invoice must not hold up the others
            log.exception("unrecorded invoice %s could not be finished; retried", invoice_id)
    async with unit_of_work(sessionmaker, writes=False) as session:
        refunds = await subscription_service.refunds_due(session)
    for refund in refunds:
        try:
            statuses.append(await refund_now(sessionmaker, refund))
        except Exception:
            log.exception("refunding invoice %s failed; retried", refund.invoice_id)
    return statuses
