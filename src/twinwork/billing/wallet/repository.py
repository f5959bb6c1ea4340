from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.billing.models import Payment, PaymentStatus


class PaymentRepository:
    async def by_idempotency_key(self, session: AsyncSession, key: str) -> Payment | None:
        return await session.scalar(select(Payment).where(Payment.idempotency_key == key))

    async def add(self, session: AsyncSession, payment: Payment) -> None:
        session.add(payment)
        await session.flush()

    async def lock(self, session: AsyncSession, payment_id: int) -> Payment | None:
        return await session.scalar(
            select(Payment)
            .where(Payment.id == payment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def get(self, session: AsyncSession, payment_id: int) -> Payment | None:
        return await session.get(Payment, payment_id, populate_existing=True)

    async def for_user(self, session: AsyncSession, user_id: int, limit: int = 50) -> list[Payment]:
        result = await session.scalars(
            select(Payment)
            .where(Payment.user_id == user_id)
            .order_by(Payment.created_at.desc(), Payment.id.desc())
            .limit(limit)
        )
        return list(result)

    async def pending_ids(self, session: AsyncSession, older_than: datetime) -> list[int]:
        result = await session.scalars(
            select(Payment.id).where(
                Payment.status == PaymentStatus.PENDING, Payment.created_at < older_than
            )
        )
        return list(result)


payment_repository = PaymentRepository()
