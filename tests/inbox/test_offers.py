"""Custom offers: the buyer accepts one and it becomes an order with escrow through the order
domain's own code; an offer becomes one order at most; expired, withdrawn and declined
offers cannot be accepted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.inbox.factories import CONVERSATIONS, gig_conversation, key, read
from tests.order.test_disputes import admin_headers, ledger_check
from tests.order.test_orders import wallet
from twinwork.account.models import User
from twinwork.inbox.models import Offer
from twinwork.kit.db import utcnow
from twinwork.ledger.service import ledger_service
from twinwork.order.models import Order, OrderKind
from twinwork.order.service import CustomTerms, order_service

PRICE = 12_000
OFFER = {
    "description": "Three fox illustrations for the shop window, print-ready.",
    "price_amount": PRICE,
    "delivery_days": 5,
    "revisions": 2,
    "kind": "human",
}


async def make_offer(
    client: httpx.AsyncClient, seller: dict[str, str], conversation_id: str, **changes: Any
) -> dict[str, Any]:
    made = await client.post(
        f"{CONVERSATIONS}/{conversation_id}/offers", json={**OFFER, **changes}, headers=seller
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def accept_url(offer: dict[str, Any]) -> str:
    return f"{CONVERSATIONS}/{offer['conversation_id']}/offers/{offer['id']}/accept"


async def orders_of_offer(session: AsyncSession, offer_id: str) -> int:
    """Orders placed from the offer with this public id (its row keys the order's request)."""
    request_key = f"inbox-offer-{key('offer', offer_id)}"
    return int(
        await session.scalar(select(func.count(Order.id)).where(Order.request_key == request_key))
        or 0
    )


async def test_an_accepted_offer_is_an_order_with_its_price_in_escrow_and_a_balanced_ledger(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, gig_id, conversation = await gig_conversation(client)
    escrow = await ledger_service.account(session, "escrow", "USD")
    escrow_before = await ledger_service.balance(session, escrow)
    offer = await make_offer(client, seller, conversation["id"])
    assert offer["status"] == "open" and offer["order_id"] is None
    thread = (await read(client, buyer, conversation["id"])).json()
    assert thread["messages"][-1]["offer"]["id"] == offer["id"]
    assert thread["messages"][-1]["author_kind"] == "freelancer"

    accepted = await client.post(accept_url(offer), headers={**buyer, "Idempotency-Key": "k1"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    order_id = accepted.json()["order_id"]
    placed = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer)).json()
    assert (placed["status"], placed["price_amount"], placed["package"]) == (
        "in_progress",
        PRICE,
        "custom",
    )
    assert (placed["revisions_allowed"], placed["delivery_days"], placed["gig_id"]) == (
        2,
        5,
        gig_id,
    )
    assert placed["brief"] == OFFER["description"] and placed["due_at"] is not None
    assert await wallet(client, buyer) == 20_000 - PRICE
    assert await ledger_service.balance(session, escrow) == escrow_before + PRICE
    check = await ledger_check(client, await admin_headers(session))
    assert check["balanced"] is True, check

    # Then it is an order like any other: delivered, accepted, the freelancer paid.
    url = f"/api/v1/orders/{order_id}"
    delivered = await client.post(f"{url}/deliveries", json={"text": "The foxes"}, headers=seller)
    assert delivered.json()["deliveries"][0]["made_by"] == "human"
    assert (await client.post(f"{url}/accept", headers=buyer)).json()["status"] == "completed"


async def test_accepting_twice_makes_one_order(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client)
    offer = await make_offer(client, seller, conversation["id"])
    first = await client.post(accept_url(offer), headers={**buyer, "Idempotency-Key": "same"})
    retry = await client.post(accept_url(offer), headers={**buyer, "Idempotency-Key": "same"})
    assert first.status_code == retry.status_code == 200, retry.text
    assert first.json()["order_id"] == retry.json()["order_id"]
    other_key = await client.post(accept_url(offer), headers={**buyer, "Idempotency-Key": "new"})
    no_key = await client.post(accept_url(offer), headers=buyer)
    for answer in (other_key, no_key):
        assert answer.status_code == 409, answer.text
        # The order by its reference, as its page names it; the public id alongside.
        assert f"order #{first.json()['order_id'][:8].upper()}" in answer.json()["detail"]
        assert answer.json()["order_id"] == first.json()["order_id"]
    assert await orders_of_offer(session, offer["id"]) == 1
    assert await wallet(client, buyer) == 20_000 - PRICE


async def test_expired_withdrawn_and_declined_offers_cannot_be_accepted(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client)
    expired = await make_offer(client, seller, conversation["id"], expires_in_days=1)
    await session.execute(
        update(Offer)
        .where(Offer.id == key("offer", expired["id"]))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    await session.commit()
    refused = await client.post(accept_url(expired), headers=buyer)
    assert refused.status_code == 409 and "expired" in refused.json()["detail"]
    thread = (await read(client, buyer, conversation["id"])).json()
    assert thread["messages"][-1]["offer"]["status"] == "expired"

    withdrawn = await make_offer(client, seller, conversation["id"])
    base = f"{CONVERSATIONS}/{conversation['id']}/offers/{withdrawn['id']}"
    assert (await client.post(f"{base}/withdraw", headers=buyer)).status_code == 403
    assert (await client.post(f"{base}/withdraw", headers=seller)).json()["status"] == "withdrawn"
    assert (await client.post(accept_url(withdrawn), headers=buyer)).status_code == 409

    declined = await make_offer(client, seller, conversation["id"])
    base = f"{CONVERSATIONS}/{conversation['id']}/offers/{declined['id']}"
    assert (await client.post(f"{base}/decline", headers=buyer)).json()["status"] == "declined"
    assert (await client.post(accept_url(declined), headers=buyer)).status_code == 409

    for offer in (expired, withdrawn, declined):
        assert await orders_of_offer(session, offer["id"]) == 0
    assert await wallet(client, buyer) == 20_000


async def test_only_the_freelancer_offers_and_only_the_buyer_accepts(
    client: httpx.AsyncClient,
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client)
    by_buyer = await client.post(
        f"{CONVERSATIONS}/{conversation['id']}/offers", json=OFFER, headers=buyer
    )
    assert by_buyer.status_code == 403
    offer = await make_offer(client, seller, conversation["id"])
    assert (await client.post(accept_url(offer), headers=seller)).status_code == 403
    # AI work needs an active model of the freelancer's.
    ai = await client.post(
        f"{CONVERSATIONS}/{conversation['id']}/offers", json={**OFFER, "kind": "ai"}, headers=seller
    )
    assert ai.status_code == 409 and "no active AI model" in ai.json()["detail"]
    too_cheap = await client.post(
        f"{CONVERSATIONS}/{conversation['id']}/offers",
        json={**OFFER, "price_amount": 0},
        headers=seller,
    )
    assert too_cheap.status_code == 422


async def test_a_wallet_that_cannot_pay_leaves_the_offer_open(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client)
    offer = await make_offer(client, seller, conversation["id"], price_amount=50_000)
    refused = await client.post(accept_url(offer), headers=buyer)
    assert refused.status_code == 402, refused.text
    assert await orders_of_offer(session, offer["id"]) == 0
    thread = (await read(client, buyer, conversation["id"])).json()
    assert thread["messages"][-1]["offer"]["status"] == "open"


async def test_work_offered_as_ai_is_delivered_and_disclosed_as_ai(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """An AI offer's order (the model check happens when the offer is made) is escrowed like
    any other, and its delivery says the freelancer's model made it."""
    _, buyer_headers, gig_id, conversation = await gig_conversation(client)
    buyer = await session.get(User, key("user", conversation["buyer"]["id"]))
    seller = await session.get(User, key("user", conversation["freelancer"]["id"]))
    assert buyer is not None and seller is not None
    terms = CustomTerms(
        seller.id, key("gig", gig_id), OrderKind.AI, "Ten slogans", 3000, "USD", 2, 1
    )
    placed = await order_service.place_custom(session, buyer, terms, "custom-ai-test")
    again = await order_service.place_custom(session, buyer, terms, "custom-ai-test")
    assert again.id == placed.id and placed.status == "in_progress"
    delivered = await order_service.deliver(session, seller, placed.id, "Ten slogans, by my model")
    [delivery] = await order_service.deliveries(session, delivered)
    assert delivery.made_by == OrderKind.AI and "personal AI model" in delivery.disclosure
    assert await wallet(client, buyer_headers) == 20_000 - 3000
