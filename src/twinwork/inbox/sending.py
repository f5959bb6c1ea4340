"""Sending a message as a flow over several units of work: the message commits first, then
the handlers of ``inbox.hooks.on_client_message`` run (the assistant answering), each in units
of its own. Nothing a handler does, or fails to do, can undo or delay the buyer's message
being stored; the request's own transaction is ended before, so on SQLite no lock is held
while a handler thinks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.account.models import User
from twinwork.inbox.files import Upload
from twinwork.inbox.hooks import run_client_message_handlers, run_freelancer_message_handlers
from twinwork.inbox.models import AuthorKind
from twinwork.inbox.service import inbox_service
from twinwork.kit.db import end_transaction_early, unit_of_work
from twinwork.kit.storage import ObjectStorage


async def send_message(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    user: User,
    conversation_id: int,
    text: str,
    uploads: Sequence[Upload] = (),
) -> int:
    """Post into an existing conversation; returns the message id."""
    await end_transaction_early(session)
    async with unit_of_work(sessionmaker) as write:
        author = await write.get(User, user.id)
        assert author is not None
        message = await inbox_service.post(
            write, storage, author, conversation_id, text, tuple(uploads)
        )
        message_id, kind = message.id, message.author_kind
    if kind == AuthorKind.BUYER:
        await run_client_message_handlers(sessionmaker, conversation_id, message_id)
    elif kind == AuthorKind.FREELANCER:
        await run_freelancer_message_handlers(sessionmaker, conversation_id, message_id)
    return message_id


async def start_conversation(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    user: User,
    text: str,
    uploads: Sequence[Upload] = (),
    *,
    freelancer_handle: str | None = None,
    gig_id: int | None = None,
    order_id: int | None = None,
) -> tuple[int, bool]:
    """Start (or continue) the conversation about a subject with its first message; returns
    (conversation id, whether it was new)."""
    await end_transaction_early(session)
    async with unit_of_work(sessionmaker) as write:
        author = await write.get(User, user.id)
        assert author is not None
        conversation = await inbox_service.start(
            write, author, freelancer_handle=freelancer_handle, gig_id=gig_id, order_id=order_id
        )
        is_new = await inbox_service.is_empty(write, conversation.id)
        message = await inbox_service.post(
            write, storage, author, conversation.id, text, tuple(uploads)
        )
        conversation_id, message_id, kind = conversation.id, message.id, message.author_kind
    if kind == AuthorKind.BUYER:
        await run_client_message_handlers(sessionmaker, conversation_id, message_id)
    elif kind == AuthorKind.FREELANCER:
        await run_freelancer_message_handlers(sessionmaker, conversation_id, message_id)
    return conversation_id, is_new
