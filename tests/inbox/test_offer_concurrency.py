"""Paying for one offer by card from many requests at once, on committed data: one order and
one card charge, whether the requests share an Idempotency-Key (a double-click, a retry) or
each has its own (two windows)."""

from __future__ import annotations

import asyncio

import httpx

from tests.catalog.factories import gig_payload
from tests.inbox.factories import CONVERSATIONS
from tests.order.test_checkout import GOOD
from tests.order.test_concurrency import fresh_account

PRICE = 6_000


async def open_offer(client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    """(a buyer with an empty wallet, the accept URL of an offer made to them)."""
    seller = await fresh_account(client, "freelancer")
    gig = await client.post("/api/v1/gigs", json=gig_payload(), headers=seller)
    assert gig.status_code == 201, gig.text
    buyer = await fresh_account(client, "buyer")
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
    return buyer, f"{CONVERSATIONS}/{conversation_id}/offers/{offer.json()['id']}/accept"


async def charges_and_orders(
    client: httpx.AsyncClient, buyer: dict[str, str]
) -> tuple[list[tuple[int, str]], int, int]:
    payments = (await client.get("/api/v1/wallet/top-ups", headers=buyer)).json()
    orders = (await client.get("/api/v1/orders", headers=buyer)).json()["total"]
    balance = (await client.get("/api/v1/wallet", headers=buyer)).json()["balance_amount"]
    return [(p["amount"], p["status"]) for p in payments], orders, balance


async def test_ten_windows_paying_one_offer_by_card_charge_once_and_order_once(
    committed_client: httpx.AsyncClient,
) -> None:
    client = committed_client
    buyer, url = await open_offer(client)

    async def pay(i: int) -> httpx.Response:
        headers = {**buyer, "Idempotency-Key": f"window-{i}"}
        return await client.post(url, json={"card_number": GOOD}, headers=headers)

    answers = await asyncio.gather(*(pay(i) for i in range(10)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [409] * 9, [a.text for a in answers]
    assert await charges_and_orders(client, buyer) == ([(PRICE, "succeeded")], 1, 0)


async def test_a_double_click_under_one_key_charges_once_and_answers_the_same_order(
    committed_client: httpx.AsyncClient,
) -> None:
    client = committed_client
    buyer, url = await open_offer(client)
    headers = {**buyer, "Idempotency-Key": "one-click"}

    answers = await asyncio.gather(
        *(client.post(url, json={"card_number": GOOD}, headers=headers) for _ in range(6))
    )
    assert all(answer.status_code == 200 for answer in answers), [a.text for a in answers]
    assert len({answer.json()["order_id"] for answer in answers}) == 1
    assert await charges_and_orders(client, buyer) == ([(PRICE, "succeeded")], 1, 0)
