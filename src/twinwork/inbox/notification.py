"""E-mail to the other party when a message arrives, at most one per conversation and
recipient every ``inbox_email_quiet_minutes`` (a burst of messages is one e-mail), and none
for a message they have already read on the site."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.inbox.models import AuthorKind
from twinwork.inbox.repository import inbox_repository
from twinwork.kit.db import utcnow
from twinwork.notify.mail import Mail, Mailer

PREVIEW_CHARS = 300


async def email_about(session: AsyncSession, message_id: int, mailer: Mailer) -> Mail | None:
    """Send the e-mail about ``message_id`` if it is due; returns what was sent."""
    message = await inbox_repository.message(session, message_id)
    if message is None:
        return None
    conversation = await inbox_repository.lock_conversation(session, message.conversation_id)
    assert conversation is not None
    to_buyer = message.author_kind != AuthorKind.BUYER
    read_id = conversation.buyer_read_id if to_buyer else conversation.freelancer_read_id
    if read_id >= message.id:
        return None  # seen on the site already
    emailed_at = conversation.buyer_emailed_at if to_buyer else conversation.freelancer_emailed_at
    now = utcnow()
    quiet = timedelta(minutes=get_settings().inbox_email_quiet_minutes)
    if emailed_at is not None and now - emailed_at < quiet:
        return None
    recipient = await session.get(
        User, conversation.buyer_user_id if to_buyer else conversation.freelancer_user_id
    )
    assert recipient is not None
    preview = (
        message.text if len(message.text) <= PREVIEW_CHARS else message.text[:PREVIEW_CHARS] + "…"
    )
    link = f"{get_settings().base_url.rstrip('/')}/inbox/{conversation.public_id}"
    mail = Mail(
        to=recipient.email,
        subject=f"New message from {message.author_name}",
        text=(
            f"{message.author_name} wrote:\n\n{preview}\n\n"
            f"Read and answer it on twinwork: {link}\n\n"
            "You get at most one e-mail per conversation every "
            f"{get_settings().inbox_email_quiet_minutes} minutes.\n"
        ),
    )
    # Sent before the stamp commits: a failed send leaves it unstamped, to be sent next time.
    await asyncio.to_thread(mailer.send, mail)
    if to_buyer:
        conversation.buyer_emailed_at = now
    else:
        conversation.freelancer_emailed_at = now
    await session.flush()
    return mail
