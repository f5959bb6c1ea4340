"""Sending a notification's e-mail: once per notification, after the commit that wrote it.

A job per notification sends it right after the producer's transaction commits; a periodic
sweep sends any whose job was lost (a worker that died, a queue that was down). The row is
locked while its mail goes out and stamped in the same transaction, so two workers never both
send it; a crash between the mail server's acceptance and the commit can send it twice, which
is the lesser harm than a notification e-mail never sent.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.notify.mail import Mail, Mailer
from twinwork.notify.models import Notification
from twinwork.notify.repository import notification_repository

SWEEP_AFTER = timedelta(minutes=5)
"""A notification still unsent this long after it was made lost its job: the sweep sends it."""


def mail_of(notification: Notification, to: str) -> Mail:
    base = get_settings().base_url.rstrip("/")
    lines = [notification.text, ""]
    if notification.link:
        lines += [f"Open it: {base}{notification.link}", ""]
    lines += [
        f"All your notifications: {base}/notifications",
        "",
        "You get this e-mail because something happened to your orders or money on twinwork.",
    ]
    return Mail(
        to=to, subject=f"{notification.kind.label}: {notification.text}", text="\n".join(lines)
    )


async def email_notification(session: AsyncSession, notification_id: int, mailer: Mailer) -> bool:
    """Send one notification's e-mail unless it went out already; True when sent now."""
    notification = await notification_repository.lock_unsent(session, notification_id)
    if notification is None:
        return False  # sent already, or rolled back with the work that made it
    user = await session.get(User, notification.user_id)
    if user is not None and user.is_active:
        mailer.send(mail_of(notification, user.email))
    notification.emailed_at = utcnow()
    await session.flush()
    return True


async def unsent_ids(session: AsyncSession) -> list[int]:
    return await notification_repository.unsent_ids(session, utcnow() - SWEEP_AFTER)
