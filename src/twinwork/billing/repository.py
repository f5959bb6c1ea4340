from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.billing.models import Payment


class PaymentRepository:
    async def by_idempotency_key(self, session: AsyncSession, key: str) -> Payment | None:
        return await session.scalar(select(Payment).where(Payment.idempotency_key == key))

    async def add(self, session: AsyncSession, payment: Payment) -> None:
        session.add(payment)
        await session.flush()


payment_repository = PaymentRepository()
