"""The demo's inbox: the program members' assistants are on, with their names and FAQs, and
the demo has a conversation in every state, each answered (or not) by the real assistant.
Loading it again adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.demo.test_training import demo_freelancers
from twinwork.account.models import User
from twinwork.assistant.models import AssistantSettings, AssistantTurn, FaqEntry, TurnOutcome
from twinwork.demo import loader
from twinwork.demo.content import BUYERS
from twinwork.demo.conversations import (
    ASSISTANTS,
    OUT_OF_OFFICE_STORY,
    STORIES,
    load_demo_conversations,
)
from twinwork.demo.reviews import reviewed_orders
from twinwork.inbox.models import AssistantState, AuthorKind, Conversation, Message, Offer
from twinwork.kit.db import utcnow
from twinwork.kit.security import hash_password
from twinwork.order.models import Order, OrderStatus


async def _load(session: AsyncSession) -> dict[str, User]:
    users = await demo_freelancers(session)
    password_hash = hash_password("demo-password-2026")
    for buyer in BUYERS:
        await loader._ensure_user(session, buyer.email, buyer.display_name, password_hash)
    # As in the demo, every buyer already has reviewed orders with both freelancers.
    for story in reviewed_orders():
        if story.freelancer_handle in users:
            await loader._ensure_order(session, story)
    return users


async def _conversation(session: AsyncSession, key: str) -> Conversation:
    story = next(s for s in (*STORIES, OUT_OF_OFFICE_STORY) if s.key == key)
    buyer = await session.scalar(select(User).where(User.email == story.buyer_email))
    freelancer = await session.scalar(
        select(User).where(User.email == f"{story.freelancer_handle}@{loader.DEMO_DOMAIN}")
    )
    assert buyer is not None and freelancer is not None
    found = await session.scalar(
        select(Conversation).where(
            Conversation.buyer_user_id == buyer.id,
            Conversation.freelancer_user_id == freelancer.id,
        )
    )
    assert found is not None
    return found


async def _messages(session: AsyncSession, conversation: Conversation) -> list[Message]:
    return list(
        await session.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
        )
    )


async def _offer(session: AsyncSession, conversation: Conversation) -> Offer:
    offer = await session.scalar(select(Offer).where(Offer.conversation_id == conversation.id))
    assert offer is not None
    return offer


async def test_the_demo_inbox_has_a_conversation_in_every_state(session: AsyncSession) -> None:
    users = await _load(session)
    assert await load_demo_conversations(session) == len(STORIES) + 1

    # The members' assistants: on, named, with the FAQ written for their trade.
    for demo in ASSISTANTS:
        settings = await session.get(AssistantSettings, users[demo.handle].id)
        assert settings is not None and settings.enabled and settings.name == demo.name
        count = await session.scalar(
            select(func.count(FaqEntry.id)).where(FaqEntry.user_id == users[demo.handle].id)
        )
        assert count == len(demo.faq) >= 5

    # Answered by the assistant: the package's own price, then the FAQ's own words.
    answered = await _conversation(session, "answered")
    assert answered.assistant_state == AssistantState.ACTIVE
    replies = [m for m in await _messages(session, answered) if m.author_kind == "assistant"]
    assert len(replies) == 2
    assert "$90" in replies[0].text and "Layla, Noor Haddad's assistant" == replies[0].author_name
    assert "Full rights and the writer credit transfer to you" in replies[1].text

    # Handed over, with the budget and the deadline in the freelancer's summary.
    handed = await _conversation(session, "handed-over")
    assert handed.assistant_state == AssistantState.HANDED_OVER
    assert handed.handover_reason == "discount"
    assert handed.handover_summary is not None
    assert "Budget: $45" in handed.handover_summary
    assert "within two weeks" in handed.handover_summary

    # Taken over: the freelancer replied herself, and the assistant stayed quiet after.
    taken = await _conversation(session, "taken-over")
    assert taken.handover_reason == "freelancer_took_over"
    kinds = [m.author_kind for m in await _messages(session, taken)]
    assert kinds == [
        AuthorKind.BUYER,
        AuthorKind.ASSISTANT,
        AuthorKind.FREELANCER,
        AuthorKind.BUYER,
    ]
    last = (await _messages(session, taken))[-1]
    turn = await session.scalar(select(AssistantTurn).where(AssistantTurn.message_id == last.id))
    assert turn is not None and turn.outcome == TurnOutcome.SILENT

    # Offers: one open, one accepted into an order paid into escrow, one expired.
    now = utcnow()
    assert (await _offer(session, await _conversation(session, "offer-open"))).state(now) == "open"
    lapsed = await _conversation(session, "offer-expired")
    expired = await _offer(session, lapsed)
    assert expired.state(now) == "expired"
    # The whole conversation happened before the offer's week ran out.
    assert all(m.created_at < expired.expires_at for m in await _messages(session, lapsed))
    accepted = await _offer(session, await _conversation(session, "offer-accepted"))
    assert accepted.state(now) == "accepted" and accepted.order_id is not None
    order = await session.get(Order, accepted.order_id)
    assert order is not None
    assert order.price_amount == accepted.price_amount == 18000
    assert order.status == OrderStatus.AWAITING_REQUIREMENTS or order.status == (
        OrderStatus.IN_PROGRESS
    )

    # Out of office: the copywriter is away, and her assistant says until when.
    away = await _conversation(session, "out-of-office")
    [note] = [m for m in await _messages(session, away) if m.author_kind == "assistant"]
    assert "out of office and back on" in note.text
    settings = await session.get(AssistantSettings, users["ines-marchetti-copy"].id)
    assert settings is not None and settings.out_of_office_until is not None


async def test_loading_the_demo_inbox_again_adds_nothing(session: AsyncSession) -> None:
    await _load(session)
    await load_demo_conversations(session)
    counts = [
        await session.scalar(select(func.count()).select_from(table))
        for table in (Conversation, Message, Offer, Order, FaqEntry)
    ]
    assert await load_demo_conversations(session) == 0
    again = [
        await session.scalar(select(func.count()).select_from(table))
        for table in (Conversation, Message, Offer, Order, FaqEntry)
    ]
    assert again == counts
