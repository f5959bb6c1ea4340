"""Handling stored webhook events: at once after a delivery, and again by a periodic job for
events whose handling failed or never ran (the process died after storing them)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.billing.models import WebhookEventStatus
from twinwork.billing.webhook import stripe_events  # noqa: F401 - registers billing's handlers
from twinwork.billing.webhook.service import Receipt, VerifiedEvent, webhook_service
from twinwork.kit.db import unit_of_work, utcnow
from twinwork.kit.jobs import huey, run_with_sessionmaker

log = logging.getLogger(__name__)
RETRY_AFTER = timedelta(minutes=1)


async def process_event(sessionmaker: async_sessionmaker[AsyncSession], event_id: int) -> str:
    """Handle one stored event in a unit of work of its own; if that fails, its effects roll
    back and the event is marked "failed" (with the error) in another. Returns the status."""
    try:
        async with unit_of_work(sessionmaker) as session:
            return await webhook_service.handle(session, event_id)
    except Exception as exc:
        log.exception("handling webhook event %s failed; retried later", event_id)
        error = f"{type(exc).__name__}: {exc}"
        async with unit_of_work(sessionmaker) as session:
            return await webhook_service.mark_failed(session, event_id, error)


async def receive(
    sessionmaker: async_sessionmaker[AsyncSession], verified: VerifiedEvent
) -> tuple[Receipt, str]:
    """Store a verified event and commit it, then handle it in a unit of work of its own
    (unless it was handled before). Returns the inbox receipt and the event's status."""
    async with unit_of_work(sessionmaker) as session:
        receipt = await webhook_service.store(session, verified)
    status = receipt.status
    if status in (WebhookEventStatus.RECEIVED, WebhookEventStatus.FAILED):
        status = await process_event(sessionmaker, receipt.event_id)
    return receipt, status


async def retry_events(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> list[str]:
    """Events still "received" or "failed" a minute after they arrived: handle them again."""
    cutoff = (now or utcnow()) - RETRY_AFTER
    async with unit_of_work(sessionmaker, writes=False) as session:
        ids = await webhook_service.due_for_retry(session, cutoff)
    return [await process_event(sessionmaker, event_id) for event_id in ids]


@huey.periodic_task(crontab(minute="*"))
def retry_webhook_events() -> int:
    return len(run_with_sessionmaker(retry_events))
