"""The assistant's turn on a buyer's message: whether it may speak at all, then the reply or
the handover, posted through the inbox.

It speaks only when every one of these holds, and otherwise records a silent turn with why:
the assistant is on; its freelancer is a creation-program member; the conversation is
``active`` in the inbox (not taken over, handed over or paused); the buyer is a new client
(no past order with this freelancer) unless the freelancer lets it answer repeat clients; and
the freelancer has not written in the conversation within their quiet hours. Out of office,
it answers once per conversation with the note and the return date, or stays silent.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.assistant import embedding, knowledge, tools
from twinwork.assistant.intent import separate_questions
from twinwork.assistant.models import (
    AssistantSettings,
    AssistantTurn,
    Handover,
    HandoverStatus,
    OutOfOfficeMode,
    RequirementDraft,
    TurnOutcome,
)
from twinwork.assistant.reply import Decision, Situation, decide, never_lines
from twinwork.assistant.repository import (
    draft_repository,
    handover_repository,
    read_repository,
    settings_repository,
    turn_repository,
)
from twinwork.assistant.summary import buyer_note, summarise
from twinwork.catalog.service import gig_service
from twinwork.creation.service import creation_service
from twinwork.inbox.models import AssistantState, AuthorKind
from twinwork.inbox.service import ConversationContext, conversation_context, post_assistant_message
from twinwork.inbox.service import Handover as InboxHandover
from twinwork.kit.db import unit_of_work, utcnow
from twinwork.program.membership import membership

log = logging.getLogger("twinwork.assistant")


async def on_client_message(
    sessionmaker: async_sessionmaker[AsyncSession], conversation_id: int, message_id: int
) -> None:
    """The inbox hook. The slow part (the language model of embeddings) runs outside any
    transaction: the knowledge is brought up to date and the buyer's message embedded first,
    then one short unit of work takes the turn (finding the vectors in the cache)."""
    started = time.perf_counter()
    async with unit_of_work(sessionmaker, writes=False) as session:
        context = await conversation_context(session, conversation_id, limit=1)
        settings = await settings_repository.get(session, context.conversation.freelancer_user_id)
        message = await read_repository.message(session, message_id)
        ready = settings is not None and settings.enabled and message is not None
        # Everything the turn will compare, encoded in one batch before its transaction.
        texts = [message.text, *separate_questions(message.text)] if message is not None else []
        texts += never_lines(settings.never if settings else "")
    if ready and settings is not None:
        await knowledge.refresh(sessionmaker, settings.user_id)
        await embedding.embed_off_loop(texts)
    async with unit_of_work(sessionmaker) as session:
        await respond(session, conversation_id, message_id, started=started, indexed=ready)


async def respond(
    session: AsyncSession,
    conversation_id: int,
    message_id: int,
    *,
    now: datetime | None = None,
    started: float | None = None,
    indexed: bool = False,
) -> AssistantTurn | None:
    """Take the assistant's turn on one buyer message; None if it was already taken.
    ``indexed``: the caller brought the knowledge up to date a moment ago (the hook does,
    outside this transaction), so it is not compared with its sources a second time."""
    started = time.perf_counter() if started is None else started
    now = now or utcnow()
    context = await conversation_context(session, conversation_id, limit=20)
    conversation = context.conversation
    turn = AssistantTurn(
        message_id=message_id,
        conversation_id=conversation_id,
        freelancer_user_id=conversation.freelancer_user_id,
        outcome=TurnOutcome.SILENT,
    )
    if not await turn_repository.claim(session, turn):
        return None
    message = next((m for m in context.messages if m.id == message_id), None)
    settings = await settings_repository.get(session, conversation.freelancer_user_id)
    why = await _why_silent(session, context, settings, now)
    if why is None and message is not None and message.author_kind != AuthorKind.BUYER:
        why = "not a buyer's message"
    if why is not None or settings is None or message is None:
        turn.why = why or "message not found"
        return await _finish(session, turn, started)

    # The conversation is active again: handovers still open in it were handed back.
    for handover in await handover_repository.open_for_conversation(session, conversation_id):
        handover.status = HandoverStatus.HANDED_BACK
        handover.closed_at = now

    if tools.is_out_of_office(settings, now):
        return await _out_of_office(session, context, settings, turn, started)

    if not indexed:
        await knowledge.reindex(session, settings.user_id)
    draft = await draft_repository.open_for_conversation(session, conversation_id)
    spoken = any(m.author_kind == AuthorKind.ASSISTANT for m in context.messages)
    situation = Situation(
        settings=settings,
        freelancer=context.freelancer,
        buyer=context.buyer,
        text=message.text,
        gig_id=conversation.gig_id,
        gigs=await gig_service.published_by(session, settings.user_id),
        models=await creation_service.active_for_owners(session, [settings.user_id]),
        orders=await read_repository.orders_between(session, context.buyer.id, settings.user_id),
        first_reply=not spoken,
        now=now,
        draft_requirements=draft.requirements if draft is not None else None,
    )
    decision = await decide(session, situation)
    turn.intents = [intent.value for intent in decision.reading.intents]
    turn.tools = decision.tool_log()
    turn.confidence = decision.confidence
    if decision.draft is not None:
        await _save_draft(session, context, draft, decision)
    if decision.handover is not None:
        return await _hand_over(session, context, settings, turn, decision, started, now)
    reply = await post_assistant_message(session, conversation_id, decision.text, settings.name)
    turn.outcome = TurnOutcome.ANSWERED
    turn.reply_message_id = reply.id
    return await _finish(session, turn, started)


async def _why_silent(
    session: AsyncSession,
    context: ConversationContext,
    settings: AssistantSettings | None,
    now: datetime,
) -> str | None:
    conversation = context.conversation
    if settings is None or not settings.enabled:
        return "the assistant is off"
    if conversation.assistant_state != AssistantState.ACTIVE:
        return f"the conversation is {conversation.assistant_state.value.replace('_', ' ')}"
    if not await membership.is_member(session, settings.user_id):
        return "the freelancer is not a creation-program member"
    if settings.new_clients_only and await read_repository.has_order_between(
        session, context.buyer.id, settings.user_id
    ):
        return "a repeat client (the freelancer answers those)"
    if settings.quiet_hours and await read_repository.freelancer_wrote_since(
        session, conversation.id, settings.user_id, now - timedelta(hours=settings.quiet_hours)
    ):
        return "the freelancer wrote here recently"
    return None


async def _out_of_office(
    session: AsyncSession,
    context: ConversationContext,
    settings: AssistantSettings,
    turn: AssistantTurn,
    started: float,
) -> AssistantTurn:
    returns = tools.back_on(settings)
    marker = f"out of office until {settings.out_of_office_until}"
    earlier = await turn_repository.for_conversation(session, context.conversation.id)
    already = any(t.outcome == TurnOutcome.OUT_OF_OFFICE and t.why == marker for t in earlier)
    if settings.out_of_office_mode == OutOfOfficeMode.SILENT or already or returns is None:
        turn.why = marker + (" (note already sent)" if already else " (silent)")
        return await _finish(session, turn, started)
    note = tools.out_of_office_note(settings, context.freelancer.display_name)
    reply = await post_assistant_message(
        session, context.conversation.id, note.lines[0], settings.name
    )
    turn.outcome = TurnOutcome.OUT_OF_OFFICE
    turn.why = marker
    turn.tools = [{"tool": note.name, "data": note.data}]
    turn.reply_message_id = reply.id
    return await _finish(session, turn, started)


async def _hand_over(
    session: AsyncSession,
    context: ConversationContext,
    settings: AssistantSettings,
    turn: AssistantTurn,
    decision: Decision,
    started: float,
    now: datetime,
) -> AssistantTurn:
    reason = decision.handover
    assert reason is not None
    freelancer = context.freelancer.display_name
    buyer_texts = _buyer_messages_since_last_handover(context)
    summary = summarise(reason, buyer_texts, decision.gathered, detail=decision.detail)
    hours = tools.availability(settings, freelancer, now)
    if hours.data.get("available_now"):
        when = f"{freelancer} is within their working hours now."
    else:
        when = " ".join(hours.lines)
    note = buyer_note(reason, freelancer, when)
    reply = await post_assistant_message(
        session,
        context.conversation.id,
        note,
        settings.name,
        handover=InboxHandover(reason.value, summary.text),
    )
    await handover_repository.add(
        session,
        Handover(
            conversation_id=context.conversation.id,
            message_id=turn.message_id,
            freelancer_user_id=settings.user_id,
            buyer_user_id=context.buyer.id,
            reason=reason,
            summary=summary.text,
            details=summary.details,
            question=buyer_texts[-1] if buyer_texts else "",
            follow_up_due_at=now + timedelta(hours=settings.follow_up_hours),
            created_at=now,
        ),
    )
    turn.outcome = TurnOutcome.HANDED_OVER
    turn.why = reason.value
    turn.reply_message_id = reply.id
    return await _finish(session, turn, started)


def _buyer_messages_since_last_handover(context: ConversationContext) -> list[str]:
    texts: list[str] = []
    for message in context.messages:
        if message.author_kind == AuthorKind.FREELANCER:
            texts = []
        elif message.author_kind == AuthorKind.BUYER:
            texts.append(message.text)
    return texts


async def _save_draft(
    session: AsyncSession,
    context: ConversationContext,
    draft: RequirementDraft | None,
    decision: Decision,
) -> None:
    assert decision.draft is not None
    if draft is None:
        draft = RequirementDraft(
            conversation_id=context.conversation.id,
            freelancer_user_id=context.freelancer.id,
            buyer_user_id=context.buyer.id,
        )
        await draft_repository.add(session, draft)
    draft.requirements = decision.draft[-4000:]
    if decision.gig is not None:
        draft.gig_id = decision.gig.id
    if decision.reading.package is not None:
        draft.package_name = decision.reading.package


async def _finish(session: AsyncSession, turn: AssistantTurn, started: float) -> AssistantTurn:
    turn.latency_ms = int((time.perf_counter() - started) * 1000)
    await session.flush()
    log.info(
        "assistant turn on message %d: %s %s (%d ms)",
        turn.message_id,
        turn.outcome.value,
        turn.why,
        turn.latency_ms,
    )
    return turn
