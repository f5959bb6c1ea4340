"""Payments, ledger transactions and receipts are named by opaque public ids: a receipt's
number carries its record's public id, never a counter, and a transaction's reference names
its order by the order's public id."""

from __future__ import annotations

import re

import httpx

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.order.test_orders import order, seller_with_gig
from tests.web.test_pages import sign_in
from twinwork.kit.public_ids import looks_public, row_id


async def test_payments_transactions_and_receipts_carry_public_ids(
    client: httpx.AsyncClient,
) -> None:
    _, buyer = await api_signup(client)
    topped = await top_up(client, buyer, 10_000)
    assert topped.status_code == 201, topped.text
    payment = topped.json()["payment"]
    assert looks_public(payment["id"])
    assert [
        p["id"] for p in (await client.get("/api/v1/wallet/top-ups", headers=buyer)).json()
    ] == [payment["id"]]

    _, gig_id = await seller_with_gig(client)
    placed = (await order(client, buyer, gig_id, brief="A logo")).json()
    await client.post(f"/api/v1/orders/{placed['id']}/cancel", headers=buyer)

    history = (await client.get("/api/v1/ledger/transactions", headers=buyer)).json()["items"]
    refund, escrow, credit = history  # newest first
    assert all(looks_public(t["id"]) for t in history)
    assert (escrow["reason"], escrow["reference_type"]) == ("order_escrow", "order")
    assert escrow["reference_id"] == refund["reference_id"] == placed["id"]
    assert (credit["reference_type"], credit["reference_id"]) == ("payment", payment["id"])
    assert placed["id"][:8].upper() in escrow["description"]

    body = (await client.get("/api/v1/receipts", headers=buyer)).json()["items"]
    numbers = [r["number"] for r in body]
    assert numbers == [
        f"R-{refund['id'].upper()}",
        f"W-{escrow['id'].upper()}",
        f"P-{payment['id'].upper()}",
    ]
    assert body[1]["reference_url"] == f"/orders/{placed['id']}"
    for number in numbers:
        assert (await client.get(f"/api/v1/receipts/{number}", headers=buyer)).status_code == 200
    # The numbers receipts had before (the record's row key) name nothing.
    payment_row = row_id("payment", payment["id"])
    for old in (f"P-{payment_row:06d}", f"P-{payment_row}"):
        assert (await client.get(f"/api/v1/receipts/{old}", headers=buyer)).status_code == 404
    # Another kind's public id under a receipt's prefix is no receipt either.
    wrong = f"P-{escrow['id'].upper()}"
    assert (await client.get(f"/api/v1/receipts/{wrong}", headers=buyer)).status_code == 404


async def test_wallet_and_receipt_pages_link_by_public_id(client: httpx.AsyncClient) -> None:
    user, buyer = await api_signup(client)
    payment = (await top_up(client, buyer, 4250)).json()["payment"]
    await sign_in(client, str(user["email"]))
    wallet = await client.get("/dashboard/wallet")
    link = f'href="/receipts/P-{payment["id"].upper()}"'
    assert wallet.status_code == 200 and link in wallet.text
    assert not re.search(r"/receipts/[A-Z]-\d+\"", wallet.text)
    receipts = await client.get("/dashboard/receipts")
    assert link in receipts.text
    page = await client.get(f"/receipts/P-{payment['id'].upper()}")
    assert page.status_code == 200 and "$42.50" in page.text
    assert (await client.get("/receipts/P-000001")).status_code == 404
