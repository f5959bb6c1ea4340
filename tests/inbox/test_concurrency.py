"""Accepting one offer from many requests at once, on committed data: one order, one charge."""

from __future__ import annotations

import asyncio

import httpx

from tests.billing.test_routes import top_up
from tests.catalog.factories import gig_payload
from tests.inbox.factories import CONVERSATIONS
from tests.order.test_concurrency import fresh_account

PRICE = 7_000


async def test_ten_concurrent_accepts_of_one_offer_make_one_order(
    committed_client: httpx.AsyncClient,
) -> None:
    client = committed_client
    seller = await fresh_account(client, "freelancer")
    gig = await client.post("/api/v1/gigs", json=gig_payload(), headers=seller)
    assert gig.status_code == 201, gig.text
    buyer = await fresh_account(client, "buyer")
    await top_up(client, buyer, 3 * PRICE)
    started = await client.post(
        CONVERSATIONS, json={"gig_id": gig.json()["id"], "text": "A poster?"}, headers=buyer
    )
    conversation_id = started.json()["id"]
    offer = await client.post(
        f"{CONVERSATIONS}/{conversation_id}/offers",
        json={
            "description": "One poster, A2, print-ready.",
            "price_amount": PRICE,
            "delivery_days": 3,
            "revisions": 1,
        },
        headers=seller,
    )
    assert offer.status_code == 201, offer.text
    url = f"{CONVERSATIONS}/{conversation_id}/offers/{offer.json()['id']}/accept"

    async def accept(i: int) -> httpx.Response:
        return await client.post(url, headers={**buyer, "Idempotency-Key": f"accept-{i}"})

    answers = await asyncio.gather(*(accept(i) for i in range(10)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [409] * 9, [a.text for a in answers]
    orders = (await client.get("/api/v1/orders", headers=buyer)).json()
    assert orders["total"] == 1
    wallet = (await client.get("/api/v1/wallet", headers=buyer)).json()
    assert wallet["balance_amount"] == 2 * PRICE
