"""E-mail about new messages through the e-mail port: to the other party, at most one per
conversation every few minutes, none for a message already read."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.inbox.factories import gig_conversation, key, read, send
from twinwork.account.models import User
from twinwork.inbox.models import Conversation, Message
from twinwork.inbox.notification import email_about
from twinwork.notify.mail import Mail


class RecordingMailer:
    name = "recording"

    def __init__(self) -> None:
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)


async def newest_message_id(session: AsyncSession, conversation_id: str) -> int:
    """The newest message's row of the conversation with this public id."""
    found = await session.scalar(
        select(Message.id)
        .where(Message.conversation_id == key("conversation", conversation_id))
        .order_by(Message.id.desc())
        .limit(1)
    )
    assert found is not None
    return found


async def test_a_new_message_e_mails_the_other_party_once_per_quiet_period(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client, "Can you draw a fox?")
    mailer = RecordingMailer()
    first = await newest_message_id(session, conversation["id"])
    mail = await email_about(session, first, mailer)
    seller_user = await session.get(User, key("user", conversation["freelancer"]["id"]))
    assert seller_user is not None
    assert mail is not None and mailer.sent == [mail]
    assert mail.to == seller_user.email
    assert mail.subject == "New message from Bo Buyer"
    assert "Can you draw a fox?" in mail.text and f"/inbox/{conversation['id']}" in mail.text

    await send(client, buyer, conversation["id"], "And a badger?")
    second = await newest_message_id(session, conversation["id"])
    assert await email_about(session, second, mailer) is None  # within the quiet period
    row = await session.get(Conversation, key("conversation", conversation["id"]))
    assert row is not None
    assert row.freelancer_emailed_at is not None
    row.freelancer_emailed_at -= timedelta(hours=1)
    await session.flush()
    assert await email_about(session, second, mailer) is not None
    assert len(mailer.sent) == 2

    # The buyer is e-mailed about the freelancer's answer, unless they read it first.
    await send(client, seller, conversation["id"], "Yes, both.")
    answer = await newest_message_id(session, conversation["id"])
    await read(client, buyer, conversation["id"])
    assert await email_about(session, answer, mailer) is None
    await send(client, seller, conversation["id"], "Here is a sketch.")
    sketch = await newest_message_id(session, conversation["id"])
    to_buyer = await email_about(session, sketch, mailer)
    assert to_buyer is not None and to_buyer.subject == "New message from Sam Seller"
