from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.notify.models import Notification


class NotificationRepository:
    async def add(self, session: AsyncSession, notification: Notification) -> None:
        session.add(notification)
        await session.flush()

    async def get(self, session: AsyncSession, notification_id: int) -> Notification | None:
        return await session.get(Notification, notification_id)

    async def unread_count(self, session: AsyncSession, user_id: int) -> int:
        count = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        return int(count or 0)

    async def count(self, session: AsyncSession, user_id: int) -> int:
        count = await session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == user_id)
        )
        return int(count or 0)

    async def page_for_user(
        self, session: AsyncSession, user_id: int, offset: int, limit: int
    ) -> list[Notification]:
        result = await session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(result)

    async def mark_all_read(self, session: AsyncSession, user_id: int, at: datetime) -> int:
        result = await session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=at)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def lock_unsent(self, session: AsyncSession, notification_id: int) -> Notification | None:
        return await session.scalar(
            select(Notification)
            .where(Notification.id == notification_id, Notification.emailed_at.is_(None))
            .with_for_update()
        )

    async def unsent_ids(self, session: AsyncSession, older_than: datetime) -> list[int]:
        result = await session.scalars(
            select(Notification.id)
            .where(Notification.emailed_at.is_(None), Notification.created_at < older_than)
            .order_by(Notification.id)
            .limit(500)
        )
        return list(result)


notification_repository = NotificationRepository()
