"""Notifying a person: one call producers make inside their own transaction.

Producers (orders, billing) call ``notify(session, user_id, kind, text, link)`` where the
thing happens; the row commits or rolls back with their work, and its e-mail is queued only
after that commit. Notify imports no producer: the dependency points one way.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.kit.db import utcnow
from twinwork.kit.errors import NotFound
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.notify.models import Notification, NotificationKind
from twinwork.notify.repository import notification_repository
from twinwork.notify.tasks import send_notification_email

PAGE_SIZE = 20
TEXT_MAX = 300


async def notify(
    session: AsyncSession,
    user_id: int,
    kind: NotificationKind,
    text: str,
    link: str = "",
    *,
    key: str | None = None,
) -> Notification | None:
    """Record a notification for ``user_id`` and queue its e-mail after the commit.

    ``key`` makes a retried producer notify once: a second call with the same key for the same
    person writes nothing and returns None. ``link`` is a path inside the site."""
    if link and not link.startswith("/"):
        raise ValueError(f"a notification links inside the site, not to {link!r}")
    notification = Notification(
        user_id=user_id,
        kind=kind,
        text=" ".join(text.split())[:TEXT_MAX],
        link=link[:300],
        dedupe_key=key[:120] if key else None,
        created_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            await notification_repository.add(session, notification)
    except IntegrityError:
        return None
    enqueue_after_commit(session, send_notification_email, notification.id)
    return notification


class NotificationService:
    async def unread_count(self, session: AsyncSession, user_id: int) -> int:
        return await notification_repository.unread_count(session, user_id)

    async def page(
        self, session: AsyncSession, user: User, page: int, page_size: int = PAGE_SIZE
    ) -> Page[Notification]:
        total = await notification_repository.count(session, user.id)
        check_page_in_range(page, page_size, total)
        items = await notification_repository.page_for_user(
            session, user.id, (page - 1) * page_size, page_size
        )
        return Page(items, page, page_size, total)

    async def open(self, session: AsyncSession, user: User, notification_id: int) -> Notification:
        """The person's own notification, marked read (opening it is reading it)."""
        notification = await notification_repository.get(session, notification_id)
        if notification is None or notification.user_id != user.id:
            raise NotFound("There is no such notification of yours.")
        if notification.read_at is None:
            notification.read_at = utcnow()
            await session.flush()
        return notification

    async def mark_all_read(self, session: AsyncSession, user: User) -> int:
        return await notification_repository.mark_all_read(session, user.id, utcnow())


notification_service = NotificationService()
