"""Paying at checkout: what the wallet does not cover is charged to a card, once."""

from __future__ import annotations

import httpx

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.order.test_orders import BASIC_PRICE, seller_with_gig, wallet
from tests.web.test_pages import sign_in
from twinwork.kit.csrf import CSRF_COOKIE

GOOD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


async def checkout(
    client: httpx.AsyncClient, buyer: dict[str, str], gig_id: int, card: str, key: str = ""
) -> httpx.Response:
    headers = {**buyer, "Idempotency-Key": key} if key else buyer
    return await client.post(
        "/api/v1/orders",
        json={"gig_id": gig_id, "package": "basic", "brief": "A logo", "card_number": card},
        headers=headers,
    )


async def card_payments(
    client: httpx.AsyncClient, buyer: dict[str, str]
) -> list[dict[str, object]]:
    return list((await client.get("/api/v1/wallet/top-ups", headers=buyer)).json())


async def test_an_empty_wallet_pays_the_whole_price_by_card_once(
    client: httpx.AsyncClient,
) -> None:
    _, gig_id = await seller_with_gig(client)
    _, buyer = await api_signup(client)
    placed = await checkout(client, buyer, gig_id, GOOD, key="checkout-1")
    assert placed.status_code == 201, placed.text
    again = await checkout(client, buyer, gig_id, GOOD, key="checkout-1")
    assert again.json()["id"] == placed.json()["id"]
    [payment] = await card_payments(client, buyer)
    assert (payment["amount"], payment["status"]) == (BASIC_PRICE, "succeeded")
    assert await wallet(client, buyer) == 0
    receipts = (await client.get("/api/v1/receipts", headers=buyer)).json()["items"]
    kinds = {(r["kind"], r["amount"]) for r in receipts}
    assert kinds == {("card_payment", BASIC_PRICE), ("wallet_payment", BASIC_PRICE)}
    card_receipt = next(r for r in receipts if r["kind"] == "card_payment")
    assert card_receipt["description"] == "Card payment at checkout"


async def test_the_card_pays_only_what_the_wallet_lacks_and_at_least_a_dollar(
    client: httpx.AsyncClient,
) -> None:
    _, gig_id = await seller_with_gig(client)
    _, buyer = await api_signup(client)
    await top_up(client, buyer, 2000)
    assert (await checkout(client, buyer, gig_id, GOOD)).status_code == 201
    assert [p["amount"] for p in await card_payments(client, buyer)] == [2500, 2000]
    assert await wallet(client, buyer) == 0

    await top_up(client, buyer, BASIC_PRICE - 50)  # 50 cents short
    assert (await checkout(client, buyer, gig_id, GOOD)).status_code == 201
    assert (await card_payments(client, buyer))[0]["amount"] == 100
    assert await wallet(client, buyer) == 50  # the rest of the minimum stays in the wallet

    await top_up(client, buyer, BASIC_PRICE)
    before = len(await card_payments(client, buyer))
    assert (await checkout(client, buyer, gig_id, GOOD)).status_code == 201
    assert len(await card_payments(client, buyer)) == before  # the wallet covered it


async def test_a_declined_card_at_checkout_places_no_order(client: httpx.AsyncClient) -> None:
    _, gig_id = await seller_with_gig(client)
    _, buyer = await api_signup(client)
    declined = await checkout(client, buyer, gig_id, DECLINED)
    assert declined.status_code == 402, declined.text
    assert declined.json()["errors"][0]["field"] == "card_number"
    assert (await client.get("/api/v1/orders", headers=buyer)).json()["total"] == 0
    assert await wallet(client, buyer) == 0
    [payment] = await card_payments(client, buyer)
    assert payment["status"] == "failed"
    bad = await checkout(client, buyer, gig_id, "1234")
    assert bad.status_code == 422
    short_id = await checkout(client, buyer, gig_id, "pm_x")  # a well-formed id the card refuses
    assert short_id.status_code == 402, short_id.text


async def test_checkout_by_card_from_the_gig_page(client: httpx.AsyncClient) -> None:
    _, gig_id = await seller_with_gig(client)
    user, buyer = await api_signup(client)
    await sign_in(client, str(user["email"]))
    page = await client.get(f"/gigs/{gig_id}")
    assert 'action="/orders/checkout"' in page.text
    token = client.cookies.get(CSRF_COOKIE)
    form = {"gig_id": gig_id, "package": "basic", "kind": "human", "csrf_token": token}
    summary = await client.post("/orders/checkout", data=form)
    assert summary.status_code == 200, summary.text
    assert "Your wallet is $" in summary.text and 'name="card_number"' in summary.text
    declined = await client.post("/orders", data={**form, "card_number": DECLINED})
    assert declined.status_code == 402 and "declined" in declined.text
    assert DECLINED not in declined.text
    placed = await client.post(
        "/orders", data={**form, "card_number": GOOD, "idempotency_key": "page-1"}
    )
    assert placed.status_code == 303, placed.text
    assert await wallet(client, buyer) == 0
