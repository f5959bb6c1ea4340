"""Disputes: the buyer opens one while the price is in escrow, the order freezes, and an admin
splits the escrow (full, partial or no refund) in one balanced ledger transaction."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup, create_user
from tests.order.test_orders import BASIC_PRICE, funded_buyer, order, seller_with_gig, wallet
from tests.web.test_pages import sign_in
from twinwork.account.service import account_service
from twinwork.billing.payout.service import earnings_service
from twinwork.kit.csrf import CSRF_COOKIE
from twinwork.kit.db import utcnow
from twinwork.kit.public_ids import row_id
from twinwork.ledger.models import LedgerTransaction
from twinwork.order.service import order_service

REASON = "The delivery is not what the brief asked for."


async def admin_headers(session: AsyncSession) -> dict[str, str]:
    admin = await create_user(session, roles=("admin",))
    await session.commit()
    token = await account_service.issue_api_token(session, admin)
    await session.commit()
    return {"Authorization": f"Bearer {token}"}


async def disputed_order(
    client: httpx.AsyncClient, *, delivered: bool
) -> tuple[dict[str, str], dict[str, str], str]:
    """A $45 human order, delivered or not, with a dispute opened by its buyer."""
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, brief="A logo for my bakery")).json()
    url = f"/api/v1/orders/{placed['id']}"
    if delivered:
        await client.post(f"{url}/deliveries", json={"text": "A logo"}, headers=seller)
    opened = await client.post(f"{url}/disputes", json={"reason": REASON}, headers=buyer)
    assert opened.status_code == 201, opened.text
    assert opened.json()["status"] == "disputed"
    assert opened.json()["dispute"]["status"] == "open"
    return seller, buyer, url


async def ledger_check(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, object]:
    return dict((await client.get("/api/v1/admin/ledger/check", headers=admin)).json())


async def transactions(session: AsyncSession, reason: str) -> int:
    query = select(func.count(LedgerTransaction.id)).where(LedgerTransaction.reason == reason)
    return int(await session.scalar(query) or 0)


async def test_open_dispute_freezes_the_order_until_an_admin_refunds_it_in_full(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, url = await disputed_order(client, delivered=False)
    # Frozen: no delivery, no cancellation, no acceptance, no second dispute.
    deliver = await client.post(f"{url}/deliveries", json={"text": "Late"}, headers=seller)
    assert deliver.status_code == 409
    assert (await client.post(f"{url}/cancel", headers=buyer)).status_code == 409
    assert (await client.post(f"{url}/accept", headers=buyer)).status_code == 409
    again = await client.post(f"{url}/disputes", json={"reason": REASON}, headers=buyer)
    assert again.status_code == 409 and "already" in again.json()["detail"]

    answer = {"response": "The buyer changed the brief after ordering."}
    responded = await client.post(f"{url}/dispute/response", json=answer, headers=seller)
    assert responded.json()["dispute"]["freelancer_response"] == answer["response"]

    admin = await admin_headers(session)
    queue = (await client.get("/api/v1/admin/disputes", headers=admin)).json()
    [listed] = [d for d in queue["items"] if d["reason"] == REASON]
    resolve = f"/api/v1/admin/disputes/{listed['id']}/resolve"
    resolved = await client.post(
        resolve, json={"refund_amount": BASIC_PRICE, "note": "Never delivered."}, headers=admin
    )
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["refund_amount"]) == ("resolved", 4500)
    assert await wallet(client, buyer) == 20_000
    assert (await client.get(url, headers=buyer)).json()["status"] == "refunded"
    earnings = (await client.get("/api/v1/earnings", headers=seller)).json()
    assert earnings["pending_amount"] == 0
    assert (await ledger_check(client, admin))["balanced"] is True

    twice = await client.post(resolve, json={"refund_amount": 0, "note": "Oops"}, headers=admin)
    assert twice.status_code == 409
    assert await transactions(session, "dispute_resolution") == 1
    assert await wallet(client, buyer) == 20_000


async def test_partial_refund_splits_the_escrow_and_the_rest_clears_as_earnings(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, url = await disputed_order(client, delivered=True)
    admin = await admin_headers(session)
    dispute_id = (await client.get(url, headers=buyer)).json()["dispute"]["id"]
    refund = 1500  # $15 back; $30 released, of which the platform keeps 20%
    resolved = await client.post(
        f"/api/v1/admin/disputes/{dispute_id}/resolve",
        json={"refund_amount": refund, "note": "Half the logo variants were missing."},
        headers=admin,
    )
    assert resolved.status_code == 200, resolved.text
    assert await wallet(client, buyer) == 20_000 - BASIC_PRICE + refund
    body = (await client.get(url, headers=buyer)).json()
    assert body["status"] == "completed"
    assert body["dispute"]["resolution_note"].startswith("Half")
    earnings = (await client.get("/api/v1/earnings", headers=seller)).json()
    assert earnings["pending_amount"] == 3000 - 600
    assert (await ledger_check(client, admin))["balanced"] is True

    # A completed order can be reviewed, and the freelancer's share clears like any sale.
    review = await client.post(f"{url}/reviews", json={"rating": 3}, headers=buyer)
    assert review.status_code == 201
    seller_user = await account_service.get(
        session,
        row_id("user", (await client.get(url, headers=seller)).json()["freelancer_user_id"]),
    )
    assert seller_user is not None
    await earnings_service.clear_due(session, utcnow() + timedelta(days=8), seller_user)
    earnings = (await client.get("/api/v1/earnings", headers=seller)).json()
    assert (earnings["pending_amount"], earnings["available_amount"]) == (0, 2400)


async def test_no_refund_pays_the_freelancer_in_full(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, url = await disputed_order(client, delivered=True)
    admin = await admin_headers(session)
    dispute_id = (await client.get(url, headers=buyer)).json()["dispute"]["id"]
    await client.post(
        f"/api/v1/admin/disputes/{dispute_id}/resolve",
        json={"refund_amount": 0, "note": "The work matches the brief."},
        headers=admin,
    )
    assert await wallet(client, buyer) == 20_000 - BASIC_PRICE
    earnings = (await client.get("/api/v1/earnings", headers=seller)).json()
    assert earnings["pending_amount"] == BASIC_PRICE * 4 // 5
    assert (await client.get(url, headers=buyer)).json()["status"] == "completed"


async def test_withdrawn_dispute_restores_the_order_and_keeps_its_review_clock(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, buyer, url = await disputed_order(client, delivered=True)
    order_id = row_id("order", url.rsplit("/", 1)[1])
    review_until = (await client.get(url, headers=buyer)).json()["auto_accept_at"]
    # While disputed, the auto-acceptance job passes the order by.
    assert order_id not in await order_service.auto_accept_due(
        session, utcnow() + timedelta(days=30)
    )
    withdrawn = await client.post(f"{url}/dispute/withdraw", headers=buyer)
    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert (body["status"], body["dispute"]["status"]) == ("delivered", "withdrawn")
    # The review clock kept running: withdrawing buys no fresh review period.
    assert body["auto_accept_at"] == review_until is not None
    assert (await client.post(f"{url}/dispute/withdraw", headers=buyer)).status_code == 409
    # A new dispute can be opened after a withdrawn one; acceptance works as before.
    reopened = await client.post(f"{url}/disputes", json={"reason": REASON}, headers=buyer)
    assert reopened.status_code == 201
    await client.post(f"{url}/dispute/withdraw", headers=buyer)
    assert (await client.post(f"{url}/accept", headers=buyer)).json()["status"] == "completed"
    late = await client.post(f"{url}/disputes", json={"reason": REASON}, headers=buyer)
    assert late.status_code == 409 and "completed" in late.json()["detail"]


async def test_only_the_right_people_act_on_a_dispute_and_bad_refunds_change_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, brief="A logo")).json()
    url = f"/api/v1/orders/{placed['id']}"
    _, stranger = await api_signup(client, display_name="Stranger")

    short = await client.post(f"{url}/disputes", json={"reason": "bad"}, headers=buyer)
    assert short.status_code == 422
    by_seller = await client.post(f"{url}/disputes", json={"reason": REASON}, headers=seller)
    assert by_seller.status_code == 403
    by_stranger = await client.post(f"{url}/disputes", json={"reason": REASON}, headers=stranger)
    assert by_stranger.status_code == 404
    no_dispute = await client.post(f"{url}/dispute/withdraw", headers=buyer)
    assert no_dispute.status_code == 409

    opened = await client.post(f"{url}/disputes", json={"reason": REASON}, headers=buyer)
    dispute_id = opened.json()["dispute"]["id"]
    answer = {"response": "Mine to answer"}
    assert (
        await client.post(f"{url}/dispute/response", json=answer, headers=buyer)
    ).status_code == 403
    resolve = f"/api/v1/admin/disputes/{dispute_id}/resolve"
    fair = {"refund_amount": 100, "note": "Fair"}
    assert (await client.post(resolve, json=fair, headers=buyer)).status_code == 403
    assert (await client.get("/api/v1/admin/disputes", headers=seller)).status_code == 403

    admin = await admin_headers(session)
    before = await wallet(client, buyer)
    for bad in (
        {"refund_amount": BASIC_PRICE + 1, "note": "Too much"},
        {"refund_amount": -1, "note": "Negative"},
        {"refund_amount": 100, "note": ""},
        {"refund_amount": "ten", "note": "Words"},
    ):
        refused = await client.post(resolve, json=bad, headers=admin)
        assert refused.status_code == 422, (bad, refused.text)
    missing = await client.post("/api/v1/admin/disputes/999999/resolve", json=fair, headers=admin)
    assert missing.status_code == 404
    assert await wallet(client, buyer) == before
    assert await transactions(session, "dispute_resolution") == 0
    assert (await client.get(url, headers=buyer)).json()["status"] == "disputed"
    unknown = await client.get("/api/v1/admin/disputes?status=lost", headers=admin)
    assert unknown.status_code == 404
    everything = (await client.get("/api/v1/admin/disputes?status=all", headers=admin)).json()
    assert everything["total"] >= 1
    past_end = await client.get("/api/v1/admin/disputes?page=99", headers=admin)
    assert past_end.status_code == 404


async def test_buyer_opens_and_admin_resolves_through_the_pages(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, brief="A jingle")).json()
    order_id = placed["id"]
    buyer_user = (await client.get("/api/v1/me", headers=buyer)).json()

    await sign_in(client, buyer_user["email"])
    page = await client.get(f"/orders/{order_id}")
    assert "Open a dispute" in page.text
    token = client.cookies.get(CSRF_COOKIE)
    too_short = await client.post(
        f"/orders/{order_id}/dispute", data={"reason": "meh", "csrf_token": token}
    )
    assert too_short.status_code == 422 and 'id="reason"' in too_short.text
    opened = await client.post(
        f"/orders/{order_id}/dispute", data={"reason": REASON, "csrf_token": token}
    )
    assert opened.status_code == 303
    page = await client.get(opened.headers["location"])
    assert "Dispute opened" in page.text and REASON in page.text

    admin = await create_user(session, roles=("admin",))
    await session.commit()
    client.cookies.clear()
    await sign_in(client, admin.email)
    operations = await client.get("/admin")
    assert "1 open" in operations.text
    queue = await client.get("/admin/disputes")
    assert REASON[:30] in queue.text
    dispute_id = (await client.get(f"/api/v1/orders/{order_id}", headers=buyer)).json()["dispute"][
        "id"
    ]
    detail = await client.get(f"/admin/disputes/{dispute_id}")
    assert "The buyer says" in detail.text and "A jingle" in detail.text
    token = client.cookies.get(CSRF_COOKIE)
    bad = await client.post(
        f"/admin/disputes/{dispute_id}/resolve",
        data={"refund": "ten dollars", "note": "x", "csrf_token": token},
    )
    assert bad.status_code == 422 and "Enter an amount in dollars" in bad.text
    too_much = await client.post(
        f"/admin/disputes/{dispute_id}/resolve",
        data={"refund": "46", "note": "x", "csrf_token": token},
    )
    assert too_much.status_code == 422 and "between 0 and" in too_much.text
    done = await client.post(
        f"/admin/disputes/{dispute_id}/resolve",
        data={"refund": "$15", "note": "Split fairly.", "csrf_token": token},
    )
    assert done.status_code == 303
    resolved_page = await client.get(done.headers["location"])
    assert "$15 refunded to the buyer, $30 released" in resolved_page.text
    assert await wallet(client, buyer) == 20_000 - BASIC_PRICE + 1500
    empty = await client.get("/admin/disputes")
    assert "No open disputes" in empty.text
    assert seller  # the seller's side is covered by the API tests
