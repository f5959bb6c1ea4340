"""The order page at a glance (gig, package, the other party, timeline, due date, what the
freelancer earns) and the checkout summary shown before paying."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.account.factories import api_signup
from tests.order.test_orders import BASIC_PRICE, funded_buyer, order, seller_with_gig, wallet
from tests.web.test_pages import sign_in
from twinwork.kit.csrf import CSRF_COOKIE
from twinwork.kit.db import utcnow
from twinwork.order.timeline import due_in


async def signed_in_as(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    me = (await client.get("/api/v1/me", headers=headers)).json()
    await sign_in(client, me["email"])
    token = client.cookies.get(CSRF_COOKIE)
    assert token is not None
    return token


async def test_order_page_names_gig_package_counterparty_and_lists_each_step(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, kind="human", brief="A logo")).json()
    delivered = await client.post(
        f"/api/v1/orders/{placed['id']}/deliveries", json={"text": "Here it is."}, headers=seller
    )
    assert delivered.status_code in (200, 201), delivered.text
    await client.post(
        f"/api/v1/orders/{placed['id']}/revisions",
        json={"message": "Bigger, please"},
        headers=buyer,
    )

    await signed_in_as(client, buyer)
    page = (await client.get(f"/orders/{placed['id']}")).text
    assert "Basic package" in page and "Freelancer: <strong>Sam Seller</strong>" in page
    timeline = page[page.index('id="order-timeline"') :]
    for step in ("Order placed", "Requirements received", "Delivered", "Revision requested"):
        assert step in timeline, step
    assert timeline.index("Order placed") < timeline.index("Delivered")
    assert timeline.index("Delivered") < timeline.index("Revision requested")
    assert 'id="you-earn"' not in page, "the buyer is not shown the freelancer's net"
    assert 'id="order-due"' in page

    await signed_in_as(client, seller)
    page = (await client.get(f"/orders/{placed['id']}")).text
    assert "Buyer: <strong>Bo Buyer</strong>" in page
    earn = page[page.index('id="you-earn"') :]
    # $45.00 less the default 20% fee.
    assert earn.startswith('id="you-earn">$36 ') and "$9 platform fee" in earn


async def test_cancel_and_accept_ask_for_confirmation_before_acting(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, kind="human", brief="A logo")).json()
    await signed_in_as(client, buyer)
    page = (await client.get(f"/orders/{placed['id']}")).text
    cancel = page[page.index('id="confirm-cancel"') :]
    assert "<summary" in cancel[:200] and "Yes, cancel the order" in cancel
    await client.post(
        f"/api/v1/orders/{placed['id']}/deliveries", json={"text": "Done."}, headers=seller
    )
    page = (await client.get(f"/orders/{placed['id']}")).text
    accept = page[page.index('id="confirm-accept"') :]
    assert "<summary" in accept[:200] and "Yes, accept and pay" in accept
    assert 'id="confirm-cancel"' not in page, "a delivered order cannot be cancelled"


async def test_delivered_prose_is_shown_as_text_to_read(client: httpx.AsyncClient) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, kind="human", brief="A verse")).json()
    await client.post(
        f"/api/v1/orders/{placed['id']}/deliveries",
        json={"text": "Salt on the window,\nbread in the oven."},
        headers=seller,
    )
    await signed_in_as(client, buyer)
    page = (await client.get(f"/orders/{placed['id']}")).text
    assert '<div class="delivery-text">Salt on the window,\nbread in the oven.</div>' in page
    assert '<pre class="code-block">' not in page


async def test_checkout_summary_shows_price_wallet_and_next_steps_and_charges_nothing(
    client: httpx.AsyncClient,
) -> None:
    _, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client, 10_000)
    token = await signed_in_as(client, buyer)
    form = {"gig_id": gig_id, "package": "basic", "kind": "human", "csrf_token": token}
    summary = await client.post("/orders/checkout", data={**form, "brief": "A logo"})
    assert summary.status_code == 200, summary.text
    text = summary.text
    assert "Basic package" in text and "Made by hand by Sam Seller" in text
    assert '<dd id="checkout-price"><strong>$45</strong>' in text
    assert "$100, $55 after this order" in text
    assert "held in escrow" in text and "Pay $45 and place the order" in text
    assert 'name="card_number"' not in text, "the wallet covers it: no card asked for"
    orders = await client.get("/api/v1/orders", headers=buyer)
    assert orders.json()["total"] == 0 and await wallet(client, buyer) == 10_000

    placed = await client.post("/orders", data={**form, "brief": "A logo"})
    assert placed.status_code == 303
    assert await wallet(client, buyer) == 10_000 - BASIC_PRICE


async def test_checkout_summary_refuses_what_placing_would_refuse(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    token = await signed_in_as(client, seller)
    own = await client.post(
        "/orders/checkout",
        data={"gig_id": gig_id, "package": "basic", "kind": "human", "csrf_token": token},
    )
    assert own.status_code == 409 and "your own gig" in own.text
    _, stranger = await api_signup(client)
    token = await signed_in_as(client, stranger)
    missing = await client.post(
        "/orders/checkout",
        data={"gig_id": gig_id, "package": "deluxe", "kind": "human", "csrf_token": token},
    )
    assert missing.status_code == 422 and "Order not placed" in missing.text
    poor = await client.post(
        "/orders/checkout",
        data={"gig_id": gig_id, "package": "basic", "kind": "human", "csrf_token": token},
    )
    assert poor.status_code == 200 and 'id="checkout-card-needed"' in poor.text


def test_due_dates_count_down_in_days() -> None:
    now = utcnow()
    assert due_in(None, now) == ""
    assert due_in(now + timedelta(days=3), now) == "due in 3 days"
    assert due_in(now + timedelta(days=1), now) == "due tomorrow"
    assert due_in(now, now) == "due today"
    assert due_in(now - timedelta(days=1), now) == "1 day late"
    assert due_in(now - timedelta(days=4), now) == "4 days late"
