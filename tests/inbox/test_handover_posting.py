"""The freelancer writing in a handed-over conversation: the handover stops waiting for them,
the assistant stays quiet until they hand it back, and the buyer sees who answered. Checked
on the API of the issue's contract (takeover, handback, ``handover`` with reason and summary,
``author_kind``) and on the pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.assistant.factories import ask, assistant_replies, buyer, say, seller_with_assistant
from tests.inbox.factories import CONVERSATIONS, gig_conversation, key, read, send
from tests.web.test_pages import sign_in
from twinwork.inbox import hooks
from twinwork.kit.csrf import CSRF_COOKIE


async def thread(client: httpx.AsyncClient, headers: dict[str, str], cid: str) -> dict[str, Any]:
    answer = await read(client, headers, cid)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_answering_a_handover_clears_it_and_the_assistant_stays_quiet_until_handed_back(
    client: httpx.AsyncClient,
) -> None:
    # No quiet hours: only the handover itself keeps the assistant out after the reply.
    seller = await seller_with_assistant(client, quiet_hours=0)
    client_headers = await buyer(client)
    conversation = await ask(client, client_headers, seller, "Can I get a discount?")
    cid = conversation["id"]
    handed = await thread(client, seller.headers, cid)
    assert handed["assistant_state"] == "handed_over"
    assert handed["handover"]["reason"] == "discount" and handed["handover"]["summary"]
    assert handed["handover"]["answered_at"] is None
    summary = handed["handover"]["summary"]

    replied = await say(client, seller.headers, cid, "Happy to talk: what is your budget?")
    assert replied["assistant_state"] == "handed_over"
    assert replied["handover"]["answered_at"] is not None
    assert (replied["handover"]["reason"], replied["handover"]["summary"]) == ("discount", summary)

    # The buyer sees that the freelancer, not the assistant, answered.
    seen = await thread(client, client_headers, cid)
    last = seen["messages"][-1]
    assert (last["author_kind"], last["author_name"]) == ("freelancer", "Ada Vector")
    assert [m["author_kind"] for m in seen["messages"]] == ["buyer", "assistant", "freelancer"]

    # The buyer asks something the assistant could answer: it stays quiet.
    after = await say(client, client_headers, cid, "What are your prices?")
    assert len(assistant_replies(after)) == 1
    # Taking over what is already handed over keeps the assistant's reason and summary.
    taken = await client.post(f"{CONVERSATIONS}/{cid}/takeover", headers=seller.headers)
    assert taken.status_code == 200, taken.text
    assert (taken.json()["handover"]["reason"], taken.json()["handover"]["summary"]) == (
        "discount",
        summary,
    )
    back = await client.post(f"{CONVERSATIONS}/{cid}/handback", headers=seller.headers)
    assert back.status_code == 200, back.text
    assert (back.json()["assistant_state"], back.json()["handover"]) == ("active", None)
    answered = await say(client, client_headers, cid, "What are your prices?")
    assert len(assistant_replies(answered)) == 2 and "$45" in assistant_replies(answered)[-1]
    # Only the freelancer decides: the buyer can neither take over nor hand back.
    for action in ("takeover", "handback"):
        refused = await client.post(f"{CONVERSATIONS}/{cid}/{action}", headers=client_headers)
        assert refused.status_code == 403, refused.text


async def test_taking_over_live_then_replying_on_the_pages(client: httpx.AsyncClient) -> None:
    seller = await seller_with_assistant(client, quiet_hours=0)
    client_headers = await buyer(client)
    conversation = await ask(client, client_headers, seller, "What are your prices?")
    cid = conversation["id"]
    assert len(assistant_replies(conversation)) == 1

    await sign_in(client, str(seller.user["email"]))
    page = await client.get(f"/inbox/{cid}")
    assert f'action="/inbox/{cid}/takeover"' in page.text
    token = client.cookies.get(CSRF_COOKIE)
    taken = await client.post(f"/inbox/{cid}/takeover", data={"csrf_token": token})
    assert taken.status_code == 303, taken.text
    listing = await client.get("/inbox")
    assert "Needs you" in listing.text
    sent = await client.post(
        f"/inbox/{cid}/messages", data={"csrf_token": token, "text": "It's me, Ada: hello!"}
    )
    assert sent.status_code == 303, sent.text
    assert "Needs you" not in (await client.get("/inbox")).text
    page = await client.get(f"/inbox/{cid}")
    assert "Hand back to the assistant" in page.text

    after = await say(client, client_headers, cid, "How fast is the basic package?")
    assert len(assistant_replies(after)) == 1  # taken over: the assistant is quiet
    assert after["messages"][-2]["author_kind"] == "freelancer"

    buyer_me = (await client.get("/api/v1/me", headers=client_headers)).json()
    await sign_in(client, str(buyer_me["email"]))
    buyer_page = await client.get(f"/inbox/{cid}")
    assert 'id="who-answers"' in buyer_page.text
    assert "Ada Vector answers you personally" in buyer_page.text
    assert f'action="/inbox/{cid}/handback"' not in buyer_page.text

    # Handed back from the page: the assistant answers the next question again.
    await sign_in(client, str(seller.user["email"]))
    token = client.cookies.get(CSRF_COOKIE)
    back = await client.post(f"/inbox/{cid}/handback", data={"csrf_token": token})
    assert back.status_code == 303, back.text
    assert "Take over" in (await client.get(f"/inbox/{cid}")).text
    again = await say(client, client_headers, cid, "How fast is the basic package?")
    assert len(assistant_replies(again)) == 2


seen: list[tuple[int, int]] = []


async def recording(
    _sessionmaker: async_sessionmaker[AsyncSession], conversation_id: int, message_id: int
) -> None:
    seen.append((conversation_id, message_id))


@pytest.fixture
def freelancer_handlers() -> Iterator[None]:
    saved = list(hooks.on_freelancer_message)
    hooks.on_freelancer_message[:] = []
    seen.clear()

    async def failing(*_args: object) -> None:
        raise RuntimeError("a handler fell over")

    hooks.register_freelancer_message_handler(failing)
    hooks.register_freelancer_message_handler(recording)
    hooks.register_freelancer_message_handler(recording)  # registered once
    yield
    hooks.on_freelancer_message[:] = saved


async def test_freelancer_message_handlers_run_after_the_freelancers_messages_only(
    client: httpx.AsyncClient, freelancer_handlers: None
) -> None:
    seller, client_headers, _, conversation = await gig_conversation(client, "Foxes?")
    assert seen == []  # the buyer's message
    sent = await send(client, seller, conversation["id"], "Yes, foxes.")
    assert sent.status_code == 201, sent.text  # a failing handler loses nothing
    [(conversation_id, message_id)] = seen
    assert conversation_id == key("conversation", conversation["id"])
    assert message_id == key("message", sent.json()["messages"][-1]["id"])
    await send(client, client_headers, conversation["id"], "Great")
    assert len(seen) == 1
