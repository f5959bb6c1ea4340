"""The assistant's hook: handlers run after a buyer's message is committed, their reply is in
the API's answer, and a failing handler never loses the buyer's message. Taking over
silences the assistant."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.inbox.factories import CONVERSATIONS, gig_conversation, key, read, send, start
from tests.order.test_orders import funded_buyer, seller_with_gig
from twinwork.inbox import hooks
from twinwork.inbox.models import Message
from twinwork.inbox.service import AssistantSilenced, Handover, post_assistant_message
from twinwork.kit.db import unit_of_work

calls: list[tuple[int, int]] = []


async def failing(
    _sessionmaker: async_sessionmaker[AsyncSession], _conversation_id: int, _message_id: int
) -> None:
    raise RuntimeError("the model fell over")


async def answering(
    sessionmaker: async_sessionmaker[AsyncSession], conversation_id: int, message_id: int
) -> None:
    calls.append((conversation_id, message_id))
    async with unit_of_work(sessionmaker) as session:
        message = await session.get(Message, message_id)
        assert message is not None  # committed before the handler runs
        await post_assistant_message(session, conversation_id, f"You asked: {message.text}", "Ava")


@pytest.fixture
def handlers() -> Iterator[None]:
    saved = list(hooks.on_client_message)
    hooks.on_client_message[:] = []
    calls.clear()
    hooks.register_client_message_handler(failing)
    hooks.register_client_message_handler(answering)
    hooks.register_client_message_handler(answering)  # registered once
    yield
    hooks.on_client_message[:] = saved


async def test_handlers_run_after_a_buyers_message_and_their_reply_is_in_the_answer(
    client: httpx.AsyncClient, handlers: None
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    started = await start(client, buyer, "Do you draw foxes?", gig_id=gig_id)
    assert started.status_code == 201, started.text
    body = started.json()
    assert [(m["author_kind"], m["text"]) for m in body["messages"]] == [
        ("buyer", "Do you draw foxes?"),
        ("assistant", "You asked: Do you draw foxes?"),
    ]
    assert body["messages"][1]["author_name"] == "Ava, Sam Seller's assistant"
    # Handlers get the rows' keys; the answer names them by public id.
    assert calls == [(key("conversation", body["id"]), key("message", body["messages"][0]["id"]))]

    # The freelancer's own messages call no handler.
    await send(client, seller, body["id"], "Yes I do.")
    assert len(calls) == 1


async def test_taking_over_silences_the_assistant_until_handed_back(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client)
    url = f"{CONVERSATIONS}/{conversation['id']}"
    cid = key("conversation", conversation["id"])
    assert (await client.post(f"{url}/takeover", headers=buyer)).status_code == 403
    taken = await client.post(f"{url}/takeover", headers=seller)
    assert taken.status_code == 200, taken.text
    assert taken.json()["assistant_state"] == "handed_over"
    assert taken.json()["handover"]["reason"] == "freelancer_took_over"
    with pytest.raises(AssistantSilenced):
        await post_assistant_message(session, cid, "Still here!", "Ava")
    back = await client.post(f"{url}/handback", headers=seller)
    assert back.json()["assistant_state"] == "active" and back.json()["handover"] is None

    await post_assistant_message(
        session,
        cid,
        "A custom deal is for Sam Seller to decide; they will answer you here.",
        "Ava",
        handover=Handover("custom_offer", "Wants three foxes; budget $120; by Friday."),
    )
    await session.commit()
    handed = (await read(client, seller, conversation["id"])).json()
    assert handed["assistant_state"] == "handed_over"
    assert handed["handover"]["summary"] == "Wants three foxes; budget $120; by Friday."
    assert handed["messages"][-1]["author_kind"] == "assistant"
