"""The assistant names every row by its public id: FAQ entries, handovers, drafts and the
conversations they belong to, in answers and on the dashboard; a row's key in one of its URLs
is a 404 once plain row ids are refused; and no reply a buyer reads carries one."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.assistant.factories import ask, assistant_replies, buyer, seller_with_assistant
from tests.inbox.factories import key
from tests.web.test_pages import csrf_token, sign_in
from twinwork.assistant.intent import Intent, read
from twinwork.assistant.tools import order_status
from twinwork.kit.public_ids import PATTERN, looks_public
from twinwork.order.models import Order, OrderStatus

ID = PATTERN.strip("^$")
COUNTER = re.compile(r"/(?:inbox|orders|gigs|dashboard/assistant/\w+(?:-\w+)?)/\d+\b|#\d+\b")


async def test_faq_handovers_drafts_and_suggestions_answer_with_public_ids(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    faq = (await client.get("/api/v1/assistant/faq", headers=seller.headers)).json()
    assert faq["items"] and all(looks_public(entry["id"]) for entry in faq["items"])

    handed = await ask(client, await buyer(client), seller, "What is your favourite film?")
    [handover] = (await client.get("/api/v1/assistant/handovers", headers=seller.headers)).json()[
        "items"
    ]
    assert looks_public(handover["id"]) and handover["conversation_id"] == handed["id"]
    await client.post(
        f"/api/v1/conversations/{handed['id']}/messages",
        json={"text": "Spirited Away."},
        headers=seller.headers,
    )
    [suggestion] = (
        await client.get("/api/v1/assistant/faq-suggestions", headers=seller.headers)
    ).json()
    assert suggestion["handover_id"] == handover["id"]

    described = await ask(
        client,
        await buyer(client),
        seller,
        "I need a logo for my bakery called Crumbs, warm colours, no pink. Standard package.",
    )
    [draft] = (await client.get("/api/v1/assistant/drafts", headers=seller.headers)).json()
    assert looks_public(draft["id"]) and draft["conversation_id"] == described["id"]
    assert draft["gig_id"] == seller.gig_id and looks_public(draft["gig_id"])

    # The confirmed brief the buyer reads links the gig by its public id.
    confirmed = await client.post(
        f"/api/v1/assistant/drafts/{draft['id']}/confirm", headers=seller.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["id"] == draft["id"]
    thread = (
        await client.get(f"/api/v1/conversations/{described['id']}", headers=seller.headers)
    ).json()
    brief = assistant_replies(thread)[-1]
    assert f"/gigs/{seller.gig_id} " in brief
    assert not COUNTER.search(brief), brief


async def test_a_row_id_in_an_assistant_url_is_a_404(client: httpx.AsyncClient) -> None:
    seller = await seller_with_assistant(client)
    [entry, *_] = (await client.get("/api/v1/assistant/faq", headers=seller.headers)).json()[
        "items"
    ]
    row = key("faq", entry["id"])
    body = {"q": "Which file types?", "a": "PNG and SVG."}
    by_row = await client.put(f"/api/v1/assistant/faq/{row}", json=body, headers=seller.headers)
    assert by_row.status_code == 404
    assert str(row) not in by_row.json()["detail"]  # the answer does not echo a row's key
    by_id = await client.put(
        f"/api/v1/assistant/faq/{entry['id']}", json=body, headers=seller.headers
    )
    assert by_id.status_code == 200 and by_id.json()["id"] == entry["id"]

    await ask(client, await buyer(client), seller, "I need a logo for my bakery called Crumbs.")
    [draft] = (await client.get("/api/v1/assistant/drafts", headers=seller.headers)).json()
    draft_row = key("draft", draft["id"])
    for action in ("confirm", "dismiss"):
        url = f"/api/v1/assistant/drafts/{draft_row}/{action}"
        assert (await client.post(url, headers=seller.headers)).status_code == 404, url

    await sign_in(client, str(seller.user["email"]))
    token = await csrf_token(client)
    page_by_row = await client.post(
        f"/dashboard/assistant/faq/{row}/delete", data={"csrf_token": token}
    )
    assert page_by_row.status_code == 404
    page = (await client.get("/dashboard/assistant")).text
    assert f'action="/dashboard/assistant/faq/{entry["id"]}/delete"' in page
    assert f'action="/dashboard/assistant/drafts/{draft["id"]}/confirm"' in page
    assert f'href="/inbox/{draft["conversation_id"]}"' in page
    assert f"Conversation #{draft['conversation_id'][:8].upper()}" in page
    assert not COUNTER.search(page), COUNTER.search(page)


def test_order_status_names_the_buyers_orders_by_reference() -> None:
    first, second = Order(id=41), Order(id=7)
    for order in (first, second):
        order.status, order.gig_id, order.due_at = OrderStatus.IN_PROGRESS, None, None
    latest = order_status([first, second], None, {}, "Ada")
    assert [line.split(" (")[0] for line in latest.lines] == [
        f"Order #{first.reference}",
        f"Order #{second.reference}",
    ]
    assert [o["reference"] for o in latest.data["orders"]] == [first.reference, second.reference]
    assert "41" not in " ".join(latest.lines) and "41" not in str(latest.data)

    by_reference = order_status([first, second], second.reference.lower(), {}, "Ada")
    assert len(by_reference.lines) == 1 and f"#{second.reference} " in by_reference.lines[0]
    by_public_id = order_status([first, second], first.public_id, {}, "Ada")
    assert len(by_public_id.lines) == 1 and f"#{first.reference} " in by_public_id.lines[0]
    # A number, a row's key among them, names none of their orders.
    missing = order_status([first, second], "7", {}, "Ada")
    assert missing.lines == ["I can't find an order #7 of yours with Ada."]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("What is the status of order #DOWNRMAT?", "DOWNRMAT"),
        ("Any news on order number downrmat", "downrmat"),
        ("Where is my order #12?", None),  # a number names no order
        ("Is my order ready? /orders/" + "a" * 26, "a" * 26),
        ("Can I order now? What's my order status?", None),
    ],
)
def test_a_buyer_names_an_order_by_its_reference_or_public_id(text: str, named: str | None) -> None:
    reading = read(text)
    assert Intent.ORDER_STATUS in reading.intents
    assert reading.order_reference == named
