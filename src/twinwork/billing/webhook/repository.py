"""The webhook inbox's queries, and the lookups that match a provider's event to our rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.billing.models import Payment, Payout, WebhookEvent


class WebhookEventRepository:
    async def add(self, session: AsyncSession, event: WebhookEvent) -> bool:
        """Insert the event; False when (source, external_id) is stored already. The unique
        constraint decides, so two concurrent deliveries store one row."""
        try:
            async with session.begin_nested():
                session.add(event)
                await session.flush()
        except IntegrityError:
            return False
        return True

    async def by_external_id(
        self, session: AsyncSession, source: str, external_id: str
    ) -> WebhookEvent | None:
        return await session.scalar(
            select(WebhookEvent).where(
                WebhookEvent.source == source, WebhookEvent.external_id == external_id
            )
        )

    async def lock(self, session: AsyncSession, event_id: int) -> WebhookEvent | None:
        return await session.scalar(
            select(WebhookEvent)
            .where(WebhookEvent.id == event_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def retry_ids(
        self, session: AsyncSession, received_before: datetime, max_attempts: int
    ) -> list[int]:
        result = await session.scalars(
            select(WebhookEvent.id)
            .where(
                WebhookEvent.status.in_(("received", "failed")),
                WebhookEvent.received_at < received_before,
                WebhookEvent.attempts < max_attempts,
            )
            .order_by(WebhookEvent.id)
        )
        return list(result)

    async def page(
        self, session: AsyncSession, status: str | None, offset: int, limit: int
    ) -> tuple[list[WebhookEvent], int]:
        query = select(WebhookEvent)
        count = select(func.count()).select_from(WebhookEvent)
        if status is not None:
            query = query.where(WebhookEvent.status == status)
            count = count.where(WebhookEvent.status == status)
        total = await session.scalar(count) or 0
        result = await session.scalars(
            query.order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(result), total


class ReconciliationRepository:
    """Our rows behind a provider object: by the provider's id, or by the idempotency key we
    sent along in its metadata (a row whose answer was never recorded has no provider id)."""

    async def payment_for_intent(
        self, session: AsyncSession, intent_id: str, key: str | None
    ) -> Payment | None:
        match = Payment.external_id == intent_id
        if key:
            match = or_(match, Payment.charge_key == key)
        return await session.scalar(
            select(Payment).where(match).limit(1).execution_options(populate_existing=True)
        )

    async def payout_for_transfer(
        self, session: AsyncSession, transfer_id: str, transfer_key: str | None
    ) -> Payout | None:
        match = Payout.external_id == transfer_id
        if transfer_key:
            match = or_(match, Payout.transfer_key == transfer_key)
        return await session.scalar(
            select(Payout)
            .where(match)
            .limit(1)
            .with_for_update()
            .execution_options(populate_existing=True)
        )


webhook_event_repository = WebhookEventRepository()
reconciliation_repository = ReconciliationRepository()
