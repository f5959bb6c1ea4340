from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.billing.models import Payout, PayoutStatus


class PayoutRepository:
    async def add(self, session: AsyncSession, payout: Payout) -> None:
        session.add(payout)
        await session.flush()

    async def by_request_key(self, session: AsyncSession, user_id: int, key: str) -> Payout | None:
        return await session.scalar(
            select(Payout).where(Payout.user_id == user_id, Payout.request_key == key)
        )

    async def lock(self, session: AsyncSession, payout_id: int) -> Payout | None:
        return await session.scalar(
            select(Payout)
            .where(Payout.id == payout_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def for_user(self, session: AsyncSession, user_id: int, limit: int = 50) -> list[Payout]:
        result = await session.scalars(
            select(Payout)
            .where(Payout.user_id == user_id)
            .order_by(Payout.created_at.desc(), Payout.id.desc())
            .limit(limit)
        )
        return list(result)

    async def unfinished_ids(self, session: AsyncSession, older_than: datetime) -> list[int]:
        result = await session.scalars(
            select(Payout.id).where(
                Payout.status.in_((PayoutStatus.REQUESTED, PayoutStatus.PROCESSING)),
                Payout.updated_at < older_than,
            )
        )
        return list(result)


payout_repository = PayoutRepository()
