"""Grounded answers: every price, delivery date and revision count the assistant states is
the gig's own, read by a tool when the buyer asks; FAQ answers are the freelancer's words."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assistant.factories import (
    FAQ,
    PACKAGES,
    ask,
    assistant_replies,
    buyer,
    say,
    seller_with_assistant,
)
from tests.creation.factories import stored_model
from tests.inbox.factories import key
from tests.order.test_orders import funded_buyer, order
from twinwork.account.models import User
from twinwork.assistant.tools import format_day
from twinwork.kit.db import utcnow
from twinwork.kit.money import format_amount
from twinwork.order.models import Order


def due_date(days: int) -> str:
    return format_day(utcnow().date() + timedelta(days=days))


async def test_a_package_quote_states_the_gigs_price_days_revisions_and_due_date(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    conversation = await ask(
        client, await buyer(client), seller, "How much is the standard package and how fast?"
    )
    assert conversation["assistant_state"] == "active"
    [reply] = assistant_replies(conversation)
    standard = PACKAGES[1]
    assert format_amount(standard["price_amount"]) in reply  # $90
    assert f"{standard['delivery_days']} days" in reply
    assert f"{standard['revisions']} revisions" in reply
    assert due_date(standard["delivery_days"]) in reply
    # Only the package asked about: no other price is quoted.
    assert "$45" not in reply and "$150" not in reply
    author = next(m for m in conversation["messages"] if m["author_kind"] == "assistant")
    assert author["author_name"] == "Pip, Ada Vector's assistant"


async def test_without_a_named_package_every_package_is_quoted_with_its_own_figures(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    [reply] = assistant_replies(
        await ask(client, await buyer(client), seller, "What are your prices?")
    )
    for package in PACKAGES:
        assert format_amount(package["price_amount"]) in reply
        assert due_date(package["delivery_days"]) in reply


async def test_a_deadline_the_packages_meet_is_answered_with_the_fitting_package_only(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    [reply] = assistant_replies(
        await ask(client, await buyer(client), seller, "Could you deliver within 4 days?")
    )
    assert "$45" in reply and due_date(3) in reply
    assert "$90" not in reply and "$150" not in reply


async def test_an_faq_question_in_other_words_gets_the_freelancers_own_answer(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    [reply] = assistant_replies(
        await ask(client, await buyer(client), seller, "What file types are included?")
    )
    assert FAQ[0]["a"] in reply


async def test_the_first_reply_introduces_the_assistant_and_later_ones_do_not(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    headers = await buyer(client)
    first = await ask(client, headers, seller, "What are your prices?")
    second = await ask(client, headers, seller, "And how many revisions do I get?")
    replies = assistant_replies(second)
    assert len(replies) == 2
    assert replies[0].startswith("Hi, I'm Pip, Ada Vector's assistant.")
    assert "I'm Pip" not in replies[1]
    assert first["id"] == second["id"]


async def test_order_status_speaks_only_of_the_asking_buyers_own_orders(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await seller_with_assistant(client, new_clients_only=False)
    theirs = await funded_buyer(client)
    placed = await order(client, theirs, seller.gig_id, brief="A logo for my bakery")
    assert placed.status_code == 201, placed.text
    their_order = placed.json()["id"]
    reference = their_order[:8].upper()  # as the order's page names it
    row = await session.get(Order, key("order", their_order))
    assert row is not None and row.reference == reference

    [own] = assistant_replies(await ask(client, theirs, seller, "What is the status of my order?"))
    assert f"Order #{reference} (" in own and "in progress" in own
    # Named by reference, never by the row's key.
    assert not re.search(rf"#\s*{row.id}\b", own)
    named = assistant_replies(
        await ask(client, theirs, seller, f"Where is order #{reference.lower()} now?")
    )[-1]  # the same conversation: its newest reply
    assert f"Order #{reference} (" in named and "in progress" in named

    for asked in (reference, their_order):
        [other] = assistant_replies(
            await ask(client, await buyer(client), seller, f"What is the status of order #{asked}?")
        )
        assert "can't find an order" in other
        assert "in progress" not in other and "A logo for my bakery" not in other


async def test_ai_and_hybrid_are_explained_with_the_models_price_and_licence(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await seller_with_assistant(client)
    owner = await session.get(User, key("user", seller.user["id"]))
    assert owner is not None
    stored = await stored_model(session, owner, approved=True, price_amount=1200)
    stored.model.is_active = True
    stored.model.refinement_price_amount = 3000
    stored.model.license_scope = "commercial"
    await session.commit()

    [reply] = assistant_replies(
        await ask(client, await buyer(client), seller, "Is this made by AI or by hand?")
    )
    assert "$12 per use" in reply
    assert "commercial use" in reply
    assert "$42 in all" in reply  # hybrid: the model's $12 plus $30 of refinement
    assert "$45" in reply  # by hand: the basic package


async def test_a_described_project_becomes_a_draft_the_freelancer_confirms_in_one_click(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    headers = await buyer(client)
    conversation = await ask(
        client,
        headers,
        seller,
        "I need a logo for my bakery called Crumbs, warm colours, no pink. Standard package.",
    )
    [reply] = assistant_replies(conversation)
    assert "Your business name and the mood." in reply  # the gig's own requirements question

    drafts = (await client.get("/api/v1/assistant/drafts", headers=seller.headers)).json()
    [draft] = drafts
    assert "Crumbs" in draft["requirements"] and draft["package_name"] == "standard"
    confirmed = await client.post(
        f"/api/v1/assistant/drafts/{draft['id']}/confirm", headers=seller.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    again = await client.post(
        f"/api/v1/assistant/drafts/{draft['id']}/confirm", headers=seller.headers
    )
    assert again.status_code == 409

    thread = (
        await client.get(f"/api/v1/conversations/{conversation['id']}", headers=headers)
    ).json()
    last = assistant_replies(thread)[-1]
    assert "Ada Vector has confirmed your brief" in last and "Crumbs" in last
    assert "$90" in last and f"/gigs/{seller.gig_id}" in last


async def test_the_freelancers_own_earlier_reply_answers_and_one_with_figures_does_not(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    first = await ask(client, await buyer(client), seller, "hello")
    await say(
        client,
        seller.headers,
        first["id"],
        "Every logo comes with a one-page style guide that shows your colours and fonts.",
    )
    await say(
        client,
        seller.headers,
        first["id"],
        "For you I can print business cards too, 200 cards for $35 by Friday.",
    )
    [reply] = assistant_replies(
        await ask(client, await buyer(client), seller, "Will there be a style guide with the logo?")
    )
    assert "has answered this before" in reply and "style guide" in reply

    business_cards = await ask(
        client, await buyer(client), seller, "Do you print business cards as well?"
    )
    assert business_cards["assistant_state"] == "handed_over"
    assert "$35" not in " ".join(assistant_replies(business_cards))
