"""What other domains plug into the inbox. The inbox imports none of them: they import it.

**on_client_message** — handlers run after a buyer's message is committed::

    async def handler(
        sessionmaker: async_sessionmaker[AsyncSession], conversation_id: int, message_id: int
    ) -> None: ...

    inbox.hooks.register_client_message_handler(handler)

They run in order, directly after the commit, inside the request that posted the message (so
the API's answer already carries a reply one of them posted) and outside any transaction: a
handler opens its own short units of work (``kit.db.unit_of_work(sessionmaker)``) around its
writes and may take its time in between (a language model) without holding a database lock.
The buyer's message is committed before the first handler starts; an exception in a handler is
logged and swallowed, and the next handler still runs, so no failure loses or blocks it.

**on_freelancer_message** — handlers with the same signature, run the same way after a message
the freelancer wrote is committed (registered with ``register_freelancer_message_handler``): the
assistant closes the handovers the freelancer has now answered.

**Services the assistant calls** (``twinwork.inbox.service``), each inside the caller's unit of
work (services never commit)::

    await post_assistant_message(
        session, conversation_id, text, assistant_name, *, handover=None
    ) -> Message
        # author_kind "assistant", shown as "<assistant_name>, <freelancer>'s assistant".
        # handover=Handover(reason, summary) (twinwork.inbox.service) also hands it over (the state
        # becomes handed_over, with the reason and the summary for the freelancer).
        # Refused (AssistantSilenced, 409) unless the conversation's state is active.

    await set_assistant_state(
        session, conversation_id, state, *, reason=None, summary=None
    ) -> Conversation
        # state: AssistantState.ACTIVE | HANDED_OVER | PAUSED (or their string values).
        # reason/summary are kept with handed_over and cleared by active.

    await conversation_context(session, conversation_id, *, limit=20) -> ConversationContext
        # the conversation, its two parties and its newest messages (oldest first): what a
        # reply needs to read, with no access check (the caller is the platform itself).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("twinwork.inbox")

ClientMessageHandler = Callable[[async_sessionmaker[AsyncSession], int, int], Awaitable[None]]

on_client_message: list[ClientMessageHandler] = []
"""Called with (sessionmaker, conversation_id, message_id) after a buyer's message commits."""


def register_client_message_handler(handler: ClientMessageHandler) -> ClientMessageHandler:
    """Add ``handler`` once (importing its module twice registers it once); usable as a
    decorator."""
    if handler not in on_client_message:
        on_client_message.append(handler)
    return handler


async def run_client_message_handlers(
    sessionmaker: async_sessionmaker[AsyncSession], conversation_id: int, message_id: int
) -> None:
    """Run every handler; a failing one is logged and the rest still run. Call it only after
    the buyer's message is committed."""
    await _run(on_client_message, sessionmaker, conversation_id, message_id)


async def _run(
    handlers: list[ClientMessageHandler],
    sessionmaker: async_sessionmaker[AsyncSession],
    conversation_id: int,
    message_id: int,
) -> None:
    for handler in list(handlers):
        try:
            await handler(sessionmaker, conversation_id, message_id)
        except Exception:
            log.exception(
                "inbox handler %s failed on message %d of conversation %d",
                getattr(handler, "__qualname__", handler),
                message_id,
                conversation_id,
            )


on_freelancer_message: list[ClientMessageHandler] = []
"""Called with (sessionmaker, conversation_id, message_id) after a freelancer's message commits."""


def register_freelancer_message_handler(handler: ClientMessageHandler) -> ClientMessageHandler:
    """Add ``handler`` once; usable as a decorator."""
    if handler not in on_freelancer_message:
        on_freelancer_message.append(handler)
    return handler


async def run_freelancer_message_handlers(
    sessionmaker: async_sessionmaker[AsyncSession], conversation_id: int, message_id: int
) -> None:
    """As ``run_client_message_handlers``, for a message the freelancer wrote."""
    await _run(on_freelancer_message, sessionmaker, conversation_id, message_id)
