"""Conversations: one per buyer, freelancer and subject; who may read them; pages of
messages, newest last; unread counts per participant; bad input and the rate limit."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup, create_user
from tests.inbox.factories import (
    CONVERSATIONS,
    gig_conversation,
    key,
    read,
    send,
    start,
    unread,
)
from tests.order.test_disputes import admin_headers
from tests.order.test_orders import order
from tests.web.test_pages import sign_in
from twinwork.config import get_settings
from twinwork.inbox.service import post_assistant_message


async def test_buyer_writes_about_a_gig_and_writing_again_joins_the_same_conversation(
    client: httpx.AsyncClient,
) -> None:
    seller, buyer, gig_id, conversation = await gig_conversation(client)
    assert conversation["role"] == "buyer"
    assert conversation["subject"]["kind"] == "gig" and conversation["subject"]["gig_id"] == gig_id
    [first] = conversation["messages"]
    assert (first["author_kind"], first["author_name"]) == ("buyer", "Bo Buyer")

    again = await start(client, buyer, "Also a badger?", gig_id=gig_id)
    assert again.status_code == 201 and again.json()["id"] == conversation["id"]
    assert [m["text"] for m in again.json()["messages"]] == [
        "Can you draw a fox?",
        "Also a badger?",
    ]

    # By handle: a general conversation, another subject, so another conversation.
    handle = conversation["freelancer"]["handle"]
    general = await start(client, buyer, "A general question", freelancer_handle=handle)
    assert general.json()["id"] != conversation["id"]
    assert general.json()["subject"]["kind"] == "general"

    answered = await send(client, seller, conversation["id"], "Yes, both.")
    assert answered.status_code == 201, answered.text
    assert answered.json()["role"] == "freelancer"
    assert answered.json()["messages"][-1]["author_kind"] == "freelancer"
    assert answered.json()["messages"][-1]["author_name"] == "Sam Seller"
    listing = (await client.get(CONVERSATIONS, headers=seller)).json()
    assert listing["total"] == 2


async def test_a_stranger_gets_404_and_an_admin_reads_only_a_disputed_orders_conversation(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, gig_id, conversation = await gig_conversation(client)
    url = f"{CONVERSATIONS}/{conversation['id']}"
    _, stranger = await api_signup(client)
    _, other_freelancer = await api_signup(client, roles=("freelancer",))
    for headers in (stranger, other_freelancer):
        assert (await client.get(url, headers=headers)).status_code == 404
        assert (await send(client, headers, conversation["id"], "Mine now")).status_code == 404
    assert (await client.get(CONVERSATIONS, headers=stranger)).json()["items"] == []

    admin = await admin_headers(session)
    assert (await client.get(url, headers=admin)).status_code == 404  # no dispute involved

    placed = (await order(client, buyer, gig_id, brief="A fox")).json()
    about_order = await start(client, seller, "About your order", order_id=placed["id"])
    assert about_order.status_code == 201, about_order.text
    assert about_order.json()["messages"][0]["author_kind"] == "freelancer"
    order_url = f"{CONVERSATIONS}/{about_order.json()['id']}"
    assert (await client.get(order_url, headers=admin)).status_code == 404
    assert (await client.get(order_url, headers=stranger)).status_code == 404
    disputed = await client.post(
        f"/api/v1/orders/{placed['id']}/disputes",
        json={"reason": "Nothing has arrived after a week."},
        headers=buyer,
    )
    assert disputed.status_code == 201, disputed.text
    as_admin = await client.get(order_url, headers=admin)
    assert as_admin.status_code == 200 and as_admin.json()["role"] == "admin"
    assert (await send(client, admin, about_order.json()["id"], "Hi")).status_code == 403
    assert (await client.get(order_url, headers=stranger)).status_code == 404

    # The page too: read-only, both parties named.
    admin_user = await create_user(session, roles=("admin",))
    await session.commit()
    await sign_in(client, admin_user.email)
    page = await client.get(f"/inbox/{about_order.json()['id']}")
    assert page.status_code == 200 and 'id="admin-read-only"' in page.text
    assert 'id="reply-form"' not in page.text
    assert (await client.get(f"/inbox/{conversation['id']}")).status_code == 404
    # From the dispute's admin page, the link to the conversation about its order.
    dispute_link = await client.get(f"/inbox/orders/{placed['id']}")
    assert dispute_link.status_code == 303
    assert dispute_link.headers["location"] == f"/inbox/{about_order.json()['id']}#latest"


async def test_messages_come_in_pages_with_the_newest_last(client: httpx.AsyncClient) -> None:
    seller, buyer, _, conversation = await gig_conversation(client, "message 1")
    for number in range(2, 36):
        sender = buyer if number % 2 else seller
        assert (
            await send(client, sender, conversation["id"], f"message {number}")
        ).status_code == 201
    first_page = (await read(client, buyer, conversation["id"])).json()
    assert (first_page["page"], first_page["pages"], first_page["total_messages"]) == (1, 2, 35)
    texts = [m["text"] for m in first_page["messages"]]
    assert texts == [f"message {n}" for n in range(6, 36)]
    older = (await read(client, buyer, conversation["id"], page=2)).json()
    assert [m["text"] for m in older["messages"]] == [f"message {n}" for n in range(1, 6)]
    past_the_end = await read(client, buyer, conversation["id"], page=3)
    assert past_the_end.status_code == 404


async def test_unread_counts_are_per_participant_and_reading_clears_them(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client, "one")
    await send(client, buyer, conversation["id"], "two")
    await send(client, buyer, conversation["id"], "three")
    assert await unread(client, seller) == 3
    assert await unread(client, buyer) == 0
    [item] = (await client.get(CONVERSATIONS, headers=seller)).json()["items"]
    assert item["unread"] == 3

    assert (await read(client, seller, conversation["id"])).json()["unread"] == 0
    assert await unread(client, seller) == 0
    await send(client, seller, conversation["id"], "Hello back")
    assert await unread(client, buyer) == 1

    # The assistant's replies are new to both: the buyer, and the freelancer watching.
    await post_assistant_message(
        session, key("conversation", conversation["id"]), "I can help.", "Ava"
    )
    await session.commit()
    assert (await unread(client, buyer), await unread(client, seller)) == (2, 1)
    badge_owner = (await read(client, buyer, conversation["id"])).json()
    assert badge_owner["messages"][-1]["author_name"] == "Ava, Sam Seller's assistant"
    assert await unread(client, buyer) == 0


@pytest.mark.parametrize(
    ("text", "status"), [("", 422), ("   ", 422), ("x" * 5001, 422)], ids=["empty", "blank", "huge"]
)
async def test_empty_and_huge_messages_are_refused(
    client: httpx.AsyncClient, text: str, status: int
) -> None:
    _, buyer, _, conversation = await gig_conversation(client)
    refused = await send(client, buyer, conversation["id"], text)
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await read(client, buyer, conversation["id"])).json()["total_messages"] == 1


async def test_a_freelancer_cannot_message_themselves(client: httpx.AsyncClient) -> None:
    seller, _, gig_id, conversation = await gig_conversation(client)
    handle = conversation["freelancer"]["handle"]
    for subject in ({"freelancer_handle": handle}, {"gig_id": gig_id}):
        refused = await start(client, seller, "Note to self", **subject)
        assert refused.status_code == 422, refused.text
        assert "yourself" in refused.json()["detail"]
    unknown = await start(client, seller, "Hi", freelancer_handle="nobody-goes-by-this")
    assert unknown.status_code == 404


async def test_a_flood_of_messages_is_rate_limited_and_nothing_sent_is_lost(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "inbox_messages_per_minute", 5)
    _, buyer, _, conversation = await gig_conversation(client, "1")
    for number in range(2, 6):
        assert (await send(client, buyer, conversation["id"], str(number))).status_code == 201
    refused = await send(client, buyer, conversation["id"], "6")
    assert refused.status_code == 429, refused.text
    assert "wait a minute" in refused.json()["detail"]
    texts = [m["text"] for m in (await read(client, buyer, conversation["id"])).json()["messages"]]
    assert texts == ["1", "2", "3", "4", "5"]
