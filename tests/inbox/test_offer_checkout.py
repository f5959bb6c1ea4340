"""Accepting a custom offer is a checkout like a package order's: a summary first, then the
wallet pays, or a card pays what the wallet lacks (charged once, under the order's rules)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.inbox.factories import CONVERSATIONS, start
from tests.inbox.test_offers import accept_url, make_offer, orders_of_offer
from tests.order.test_checkout import DECLINED, GOOD, card_payments
from tests.order.test_disputes import admin_headers, ledger_check
from tests.order.test_orders import seller_with_gig, wallet
from tests.web.test_pages import sign_in
from twinwork.kit.csrf import CSRF_COOKIE

PRICE = 12_000


async def offer_to_unfunded_buyer(
    client: httpx.AsyncClient, price: int = PRICE
) -> tuple[dict[str, Any], dict[str, str], dict[str, str], dict[str, Any]]:
    """(buyer's account, buyer, seller, an open offer) with the buyer's wallet empty."""
    seller, gig_id = await seller_with_gig(client)
    account, buyer = await api_signup(client, display_name="Cora Card")
    started = await start(client, buyer, "Could you do three foxes?", gig_id=gig_id)
    assert started.status_code == 201, started.text
    offer = await make_offer(client, seller, started.json()["id"], price_amount=price)
    return account, buyer, seller, offer


async def accept(
    client: httpx.AsyncClient,
    buyer: dict[str, str],
    offer: dict[str, Any],
    card: str | None = None,
    key: str = "",
) -> httpx.Response:
    headers = {**buyer, "Idempotency-Key": key} if key else buyer
    body = {"card_number": card} if card is not None else None
    return await client.post(accept_url(offer), json=body, headers=headers)


async def test_an_empty_wallet_pays_an_offer_by_card_once_with_a_checkout_receipt(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, buyer, _, offer = await offer_to_unfunded_buyer(client)
    refused = await accept(client, buyer, offer)
    assert refused.status_code == 402, refused.text
    assert await card_payments(client, buyer) == []

    accepted = await accept(client, buyer, offer, GOOD, key="offer-pay-1")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["order_id"]
    retry = await accept(client, buyer, offer, GOOD, key="offer-pay-1")
    assert retry.status_code == 200 and retry.json()["order_id"] == accepted.json()["order_id"]

    [payment] = await card_payments(client, buyer)
    assert (payment["amount"], payment["status"]) == (PRICE, "succeeded")
    assert await wallet(client, buyer) == 0  # all of it went on into escrow
    assert await orders_of_offer(session, offer["id"]) == 1
    receipts = (await client.get("/api/v1/receipts", headers=buyer)).json()["items"]
    card_receipt = next(r for r in receipts if r["kind"] == "card_payment")
    assert card_receipt["description"] == "Card payment at checkout"
    check = await ledger_check(client, await admin_headers(session))
    assert check["balanced"] is True, check


async def test_the_card_pays_only_what_the_wallet_lacks_and_at_least_a_dollar(
    client: httpx.AsyncClient,
) -> None:
    _, buyer, _, offer = await offer_to_unfunded_buyer(client)
    await top_up(client, buyer, PRICE - 50)  # 50 cents short
    assert (await accept(client, buyer, offer, GOOD)).status_code == 200
    card = await card_payments(client, buyer)
    assert card[0]["amount"] == 100, card  # the smallest card payment, as for packages
    assert await wallet(client, buyer) == 50

    _, rich, _, covered = await offer_to_unfunded_buyer(client)
    await top_up(client, rich, PRICE)
    before = len(await card_payments(client, rich))
    assert (await accept(client, rich, covered, GOOD)).status_code == 200
    assert len(await card_payments(client, rich)) == before  # the wallet covered it


async def test_a_declined_card_leaves_the_offer_open_and_free_to_pay_again_at_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, buyer, _, offer = await offer_to_unfunded_buyer(client)
    declined = await accept(client, buyer, offer, DECLINED, key="first-try")
    assert declined.status_code == 402, declined.text
    assert declined.json()["errors"][0]["field"] == "card_number"
    assert await orders_of_offer(session, offer["id"]) == 0
    thread = (await client.get(f"{CONVERSATIONS}/{offer['conversation_id']}", headers=buyer)).json()
    assert thread["messages"][-1]["offer"]["status"] == "open"
    # The failed attempt let go of the offer: another card, another key, works now.
    paid = await accept(client, buyer, offer, GOOD, key="second-try")
    assert paid.status_code == 200, paid.text
    statuses = sorted(p["status"] for p in await card_payments(client, buyer))
    assert statuses == ["failed", "succeeded"]
    bad = await accept(client, buyer, offer, "1234")
    assert bad.status_code == 422


async def test_offer_checkout_page_shows_the_summary_then_a_card_pays_the_shortfall(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    account, buyer, _, offer = await offer_to_unfunded_buyer(client)
    await top_up(client, buyer, 2000)
    await sign_in(client, str(account["email"]))
    thread = await client.get(f"/inbox/{offer['conversation_id']}")
    checkout_url = f"/inbox/{offer['conversation_id']}/offers/{offer['id']}/checkout"
    assert f'action="{checkout_url}"' in thread.text

    summary = await client.get(checkout_url)
    assert summary.status_code == 200, summary.text
    assert 'id="checkout-price"' in summary.text and "<strong>$120</strong>" in summary.text
    assert "Your wallet is $100 short: $100 is charged to your card" in summary.text
    assert 'name="card_number"' in summary.text and 'name="idempotency_key"' in summary.text
    assert await card_payments(client, buyer) != []  # only the top-up: the summary charged nothing
    assert len(await card_payments(client, buyer)) == 1

    token = client.cookies.get(CSRF_COOKIE)
    form = {"csrf_token": token, "idempotency_key": "page-key-1"}
    accept_page = f"/inbox/{offer['conversation_id']}/offers/{offer['id']}/accept"
    declined = await client.post(accept_page, data={**form, "card_number": DECLINED})
    assert declined.status_code == 402 and "declined" in declined.text
    assert DECLINED not in declined.text and 'name="card_number"' in declined.text
    # The form shown again carries a new key: another card from it is a new request.
    key = re.search(r'name="idempotency_key" value="([^"]+)"', declined.text)
    assert key and key.group(1) != "page-key-1"
    placed = await client.post(
        accept_page, data={**form, "idempotency_key": key.group(1), "card_number": GOOD}
    )
    assert placed.status_code == 303, placed.text
    assert placed.headers["location"].endswith("?placed=1")
    assert await wallet(client, buyer) == 0
    assert await orders_of_offer(session, offer["id"]) == 1
    # Paid: the summary now answers with the thread and the order it became.
    again = await client.get(checkout_url)
    assert again.status_code == 409 and "order #" in again.text


async def test_only_the_buyer_checks_out_and_a_stranger_meets_a_missing_offer(
    client: httpx.AsyncClient,
) -> None:
    _, _, seller, offer = await offer_to_unfunded_buyer(client)
    checkout_url = f"/inbox/{offer['conversation_id']}/offers/{offer['id']}/checkout"
    seller_account = (await client.get("/api/v1/me", headers=seller)).json()
    await sign_in(client, str(seller_account["email"]))
    refused = await client.get(checkout_url)
    assert refused.status_code == 403 and "Only the buyer" in refused.text
    stranger, _ = await api_signup(client, display_name="Sly Stranger")
    await sign_in(client, str(stranger["email"]))
    assert (await client.get(checkout_url)).status_code == 404
    missing = f"/inbox/{offer['conversation_id']}/offers/999999/checkout"
    assert (await client.get(missing)).status_code == 404
