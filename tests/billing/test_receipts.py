"""A receipt for every payment and every refund, read from the payment's own record."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.order.test_orders import order, seller_with_gig
from tests.program.test_subscription import join
from tests.web.test_pages import sign_in

DECLINED = "4000 0000 0000 0002"


async def receipts(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, object]]:
    body = (await client.get("/api/v1/receipts", headers=headers)).json()
    return list(body["items"])


async def test_payments_and_refunds_each_have_a_receipt_and_declines_none(
    client: httpx.AsyncClient,
) -> None:
    _, buyer = await api_signup(client, display_name="Rita Receipt")
    empty = (await client.get("/api/v1/receipts", headers=buyer)).json()
    assert (empty["total"], empty["items"]) == (0, [])

    await top_up(client, buyer, 10_000)
    assert (await top_up(client, buyer, 5000, card=DECLINED)).status_code == 402
    _, gig_id = await seller_with_gig(client)
    placed = (await order(client, buyer, gig_id, brief="A logo")).json()
    await client.post(f"/api/v1/orders/{placed['id']}/cancel", headers=buyer)

    refund, escrow, card = await receipts(client, buyer)  # newest first; no declined one
    assert (card["kind"], card["amount"], card["method"]) == (
        "card_payment",
        10_000,
        "Card ending 4242",
    )
    assert str(card["number"]).startswith("P-")
    assert (escrow["kind"], escrow["amount"], escrow["method"]) == (
        "wallet_payment",
        4500,
        "twinwork wallet",
    )
    assert escrow["reference_url"] == f"/orders/{placed['id']}"
    assert (refund["kind"], refund["amount"]) == ("refund", 4500)
    assert str(refund["number"]).startswith("R-")

    one = await client.get(f"/api/v1/receipts/{card['number']}", headers=buyer)
    assert one.status_code == 200 and one.json() == card
    lower = await client.get(f"/api/v1/receipts/{str(card['number']).lower()}", headers=buyer)
    assert lower.status_code == 200

    _, stranger = await api_signup(client)
    assert (
        await client.get(f"/api/v1/receipts/{card['number']}", headers=stranger)
    ).status_code == 404
    for bad in ("X-000001", "P-", "P-99999999", "drop table"):
        assert (await client.get(f"/api/v1/receipts/{bad}", headers=buyer)).status_code == 404
    assert (await client.get("/api/v1/receipts?page=2", headers=buyer)).status_code == 404
    assert (await client.get("/api/v1/receipts")).status_code == 401


async def test_membership_invoices_have_receipts(client: httpx.AsyncClient) -> None:
    headers, joined = await join(client)
    assert joined.status_code == 201, joined.text
    [receipt] = await receipts(client, headers)
    assert receipt["kind"] == "membership" and receipt["amount"] == 2500
    assert str(receipt["description"]).startswith("Creation program membership")
    assert receipt["method"] == "Card ending 4242" and receipt["status"] == "paid"


async def test_receipt_pages_list_and_show_a_payment(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user, buyer = await api_signup(client, display_name="Paula Pages")
    await top_up(client, buyer, 4250)
    [receipt] = await receipts(client, buyer)
    await sign_in(client, str(user["email"]))
    listing = await client.get("/dashboard/receipts")
    assert listing.status_code == 200 and str(receipt["number"]) in listing.text
    page = await client.get(f"/receipts/{receipt['number']}")
    assert page.status_code == 200
    assert "Paula Pages" in page.text and "$42.50" in page.text and "Card ending 4242" in page.text
    assert (await client.get("/receipts/P-000000")).status_code == 404
