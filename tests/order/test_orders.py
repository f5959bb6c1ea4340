"""Orders: human (escrow, delivery, revisions, acceptance), AI and hybrid, reviews, bad input."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.catalog.factories import gig_payload
from tests.creation.conftest import TrainedModel
from twinwork.kit.db import utcnow
from twinwork.kit.public_ids import row_id
from twinwork.ledger.service import ledger_service
from twinwork.order.service import order_service

# gig_payload's basic package: $45, 1 revision.
BASIC_PRICE = 4500


async def seller_with_gig(client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    _, seller = await api_signup(client, roles=("freelancer",), display_name="Sam Seller")
    gig = await client.post("/api/v1/gigs", json=gig_payload(), headers=seller)
    assert gig.status_code == 201, gig.text
    return seller, gig.json()["id"]


async def funded_buyer(client: httpx.AsyncClient, amount: int = 20_000) -> dict[str, str]:
    _, buyer = await api_signup(client, display_name="Bo Buyer")
    await top_up(client, buyer, amount)
    return buyer


async def wallet(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"])


async def order(
    client: httpx.AsyncClient, buyer: dict[str, str], gig_id: str, **body: object
) -> httpx.Response:
    return await client.post(
        "/api/v1/orders", json={"gig_id": gig_id, "package": "basic", **body}, headers=buyer
    )


async def test_human_order_escrow_delivery_revision_acceptance_review(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = await order(client, buyer, gig_id, kind="human", brief="A logo for my bakery")
    assert placed.status_code == 201, placed.text
    o = placed.json()
    assert (o["status"], o["price_amount"], o["role"]) == ("in_progress", BASIC_PRICE, "buyer")
    assert await wallet(client, buyer) == 20_000 - BASIC_PRICE
    url = f"/api/v1/orders/{o['id']}"
    assert (await client.get(url, headers=seller)).json()["role"] == "freelancer"

    assert (await client.post(f"{url}/accept", headers=buyer)).status_code == 409  # nothing yet
    delivered = await client.post(f"{url}/deliveries", json={"text": "Draft one"}, headers=seller)
    assert delivered.json()["status"] == "delivered"
    [delivery] = delivered.json()["deliveries"]
    assert delivery["made_by"] == "human" and "by hand by Sam Seller" in delivery["disclosure"]
    for _ in range(1):
        revised = await client.post(f"{url}/revisions", json={"message": "Bigger"}, headers=buyer)
        assert revised.json()["status"] == "in_progress"
        await client.post(f"{url}/deliveries", json={"text": "Again"}, headers=seller)
    too_many = await client.post(f"{url}/revisions", json={"message": "More"}, headers=buyer)
    assert too_many.status_code == 409 and "1 revision(s)" in too_many.json()["detail"]

    accepted = await client.post(f"{url}/accept", headers=buyer)
    assert accepted.json()["status"] == "completed"
    again = await client.post(f"{url}/accept", headers=buyer)
    assert again.status_code == 409
    earnings = (await client.get("/api/v1/earnings", headers=seller)).json()
    assert earnings["pending_amount"] == BASIC_PRICE * 80 // 100
    from twinwork.billing.payout.service import earnings_service

    await earnings_service.clear_due(session, utcnow() + timedelta(days=8))
    earnings = (await client.get("/api/v1/earnings", headers=seller)).json()
    assert (earnings["pending_amount"], earnings["available_amount"]) == (0, BASIC_PRICE * 4 // 5)
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0

    reviewed = await client.post(
        f"{url}/reviews", json={"rating": 5, "text": "Lovely"}, headers=buyer
    )
    assert reviewed.status_code == 201 and reviewed.json()["review"]["rating"] == 5
    assert (
        await client.post(f"{url}/reviews", json={"rating": 1}, headers=buyer)
    ).status_code == 409
    listed = (await client.get("/api/v1/orders", headers=seller)).json()
    assert [i["id"] for i in listed["items"]] == [o["id"]]


async def test_order_without_a_brief_waits_for_requirements_before_the_clock_starts(
    client: httpx.AsyncClient,
) -> None:
    _, seller = await api_signup(client, roles=("freelancer",), display_name="Sam Seller")
    question = "Your names, how you met, and the song you first danced to."
    gig = await client.post("/api/v1/gigs", json=gig_payload(requirements=question), headers=seller)
    assert gig.status_code == 201 and gig.json()["requirements"] == question
    too_long = await client.patch(
        f"/api/v1/gigs/{gig.json()['id']}", json={"requirements": "x" * 2001}, headers=seller
    )
    assert too_long.status_code == 422
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig.json()["id"])).json()
    assert (placed["status"], placed["due_at"], placed["delivery_days"]) == (
        "awaiting_requirements",
        None,
        3,
    )
    url = f"/api/v1/orders/{placed['id']}"
    early = await client.post(f"{url}/deliveries", json={"text": "A guess"}, headers=seller)
    assert early.status_code == 409 and "requirements" in early.json()["detail"]
    answer = {"requirements": "Ana and Joe, met at a ferry stop, danced to a sea shanty."}
    by_seller = await client.post(f"{url}/requirements", json=answer, headers=seller)
    assert by_seller.status_code == 403
    empty = await client.post(f"{url}/requirements", json={"requirements": " "}, headers=buyer)
    assert empty.status_code == 422

    sent = await client.post(f"{url}/requirements", json=answer, headers=buyer)
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert (body["status"], body["brief"]) == ("in_progress", answer["requirements"])
    due = datetime.fromisoformat(body["due_at"])
    assert timedelta(days=2, hours=23) < due - utcnow() <= timedelta(days=3)
    again = await client.post(f"{url}/requirements", json=answer, headers=buyer)
    assert again.status_code == 409
    delivered = await client.post(f"{url}/deliveries", json={"text": "Verse"}, headers=seller)
    assert delivered.json()["status"] == "delivered"


async def test_an_order_awaiting_requirements_can_be_cancelled_in_full(
    client: httpx.AsyncClient,
) -> None:
    _, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id)).json()
    assert placed["status"] == "awaiting_requirements"
    cancelled = await client.post(f"/api/v1/orders/{placed['id']}/cancel", headers=buyer)
    assert cancelled.json()["status"] == "cancelled"
    assert await wallet(client, buyer) == 20_000


async def test_cancel_before_delivery_refunds_and_strangers_see_nothing(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    _, stranger = await api_signup(client, roles=("freelancer",))
    o = (await order(client, buyer, gig_id)).json()
    url = f"/api/v1/orders/{o['id']}"
    for response in (
        await client.get(url, headers=stranger),
        await client.post(f"{url}/deliveries", json={"text": "x"}, headers=stranger),
        await client.post(f"{url}/accept", headers=stranger),
        await client.post(f"{url}/cancel", headers=stranger),
    ):
        assert response.status_code == 404
    assert (
        await client.post(f"{url}/deliveries", json={"text": "x"}, headers=buyer)
    ).status_code == 403
    cancelled = await client.post(f"{url}/cancel", headers=buyer)
    assert cancelled.json()["status"] == "cancelled"
    assert await wallet(client, buyer) == 20_000
    assert (await client.post(f"{url}/cancel", headers=buyer)).status_code == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"package": "standard"}, 201),
        ({"package": "premium"}, 422),
        ({"package": "nope"}, 422),
        ({"kind": "robot"}, 422),
        ({"kind": "ai", "brief": "A poem"}, 409),  # this freelancer has no AI model
    ],
)
async def test_order_input_is_checked(
    client: httpx.AsyncClient, body: dict[str, object], status: int
) -> None:
    _, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client, 100_000)
    response = await client.post(
        "/api/v1/orders", json={"gig_id": gig_id, "package": "basic", **body}, headers=buyer
    )
    assert response.status_code == status, response.text


async def test_ordering_without_money_or_from_yourself_is_refused(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    _, poor = await api_signup(client)
    assert (await order(client, poor, gig_id)).status_code == 402
    assert (await client.get("/api/v1/orders", headers=poor)).json()["total"] == 0
    assert (await order(client, seller, gig_id)).status_code == 409


async def test_a_retried_order_is_placed_once(client: httpx.AsyncClient) -> None:
    _, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    headers = {**buyer, "Idempotency-Key": "order-1"}
    first = await client.post(
        "/api/v1/orders", json={"gig_id": gig_id, "package": "basic"}, headers=headers
    )
    second = await client.post(
        "/api/v1/orders", json={"gig_id": gig_id, "package": "basic"}, headers=headers
    )
    assert first.json()["id"] == second.json()["id"]
    assert await wallet(client, buyer) == 20_000 - BASIC_PRICE


async def test_deliveries_not_answered_in_time_are_accepted(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    o = (await order(client, buyer, gig_id, brief="A logo")).json()
    await client.post(f"/api/v1/orders/{o['id']}/deliveries", json={"text": "Done"}, headers=seller)
    assert await order_service.auto_accept_due(session, utcnow() + timedelta(days=1)) == []
    accepted = await order_service.auto_accept_due(session, utcnow() + timedelta(days=4))
    assert row_id("order", o["id"]) in accepted
    body = (await client.get(f"/api/v1/orders/{o['id']}", headers=buyer)).json()
    assert body["status"] == "completed"


async def test_ai_and_hybrid_orders_say_how_the_work_was_made(
    client: httpx.AsyncClient,
    session: AsyncSession,
    active: TrainedModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.catalog.factories import create_gig
    from twinwork.account.service import account_service
    from twinwork.config import get_settings

    # Paid work is not a free preview: a buyer with none left can still order it.
    monkeypatch.setattr(get_settings(), "free_previews_per_day", 0)

    owner = await account_service.get(session, row_id("user", active.owner_user["id"]))
    assert owner is not None
    gig = await create_gig(session, owner)
    buyer = await funded_buyer(client)

    ai_body = {
        "gig_id": gig.public_id,
        "package": "basic",
        "kind": "ai",
        "brief": "A verse about rain",
    }
    ai_headers = {**buyer, "Idempotency-Key": "ai-order-1"}
    ai = await client.post("/api/v1/orders", json=ai_body, headers=ai_headers)
    assert ai.status_code == 201, ai.text
    retried = await client.post("/api/v1/orders", json=ai_body, headers=ai_headers)
    assert retried.status_code == 201, retried.text
    assert retried.json()["id"] == ai.json()["id"]
    assert await wallet(client, buyer) == 20_000 - 400  # charged once
    body = ai.json()
    assert (body["kind"], body["status"], body["price_amount"]) == ("ai", "completed", 400)
    [delivery] = body["deliveries"]
    assert delivery["made_by"] == "ai" and "personal AI model" in delivery["disclosure"]

    no_hybrid = await order(client, buyer, gig.public_id, kind="hybrid", brief="A chorus")
    assert no_hybrid.status_code == 409 and "hybrid" in no_hybrid.json()["detail"]
    await client.patch(
        f"/api/v1/models/{active.id}", json={"refinement_price_amount": 1500}, headers=active.owner
    )
    hybrid = await order(client, buyer, gig.public_id, kind="hybrid", brief="A chorus about trains")
    assert hybrid.status_code == 201, hybrid.text
    h = hybrid.json()
    assert (h["status"], h["price_amount"]) == ("in_progress", 400 + 1500)
    [draft] = h["deliveries"]
    assert draft["is_draft"] and draft["made_by"] == "ai"
    # The draft is already in the buyer's hands: no full refund that would give it away.
    assert (await client.post(f"/api/v1/orders/{h['id']}/cancel", headers=buyer)).status_code == 409
    final = await client.post(
        f"/api/v1/orders/{h['id']}/deliveries",
        json={"text": "Refined chorus"},
        headers=active.owner,
    )
    last = final.json()["deliveries"][-1]
    assert last["made_by"] == "hybrid"
    assert last["disclosure"] == "AI draft by Rae Lyric's model, refined by Rae Lyric."
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0


async def test_buyer_sends_requirements_on_the_order_page(client: httpx.AsyncClient) -> None:
    from tests.web.test_pages import sign_in
    from twinwork.kit.csrf import CSRF_COOKIE

    _, seller = await api_signup(client, roles=("freelancer",), display_name="Sam Seller")
    question = "The name of the shop and three words for its mood."
    gig = await client.post("/api/v1/gigs", json=gig_payload(requirements=question), headers=seller)
    gig_page = await client.get(f"/gigs/{gig.json()['id']}")
    assert question in gig_page.text
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig.json()["id"])).json()
    me = (await client.get("/api/v1/me", headers=buyer)).json()
    await sign_in(client, me["email"])
    page = await client.get(f"/orders/{placed['id']}")
    assert "The freelancer asks" in page.text and question in page.text
    token = client.cookies.get(CSRF_COOKIE)
    bad = await client.post(
        f"/orders/{placed['id']}/requirements", data={"requirements": "", "csrf_token": token}
    )
    assert bad.status_code == 422 and "Send requirements" in bad.text
    sent = await client.post(
        f"/orders/{placed['id']}/requirements",
        data={"requirements": "Crumb & Co; warm, local, honest.", "csrf_token": token},
    )
    assert sent.status_code == 303
    page = await client.get(sent.headers["location"])
    assert "the delivery time starts now" in page.text
    assert "Crumb &amp; Co; warm, local, honest." in page.text


async def test_an_ai_order_that_cannot_be_paid_runs_no_generation(
    client: httpx.AsyncClient, session: AsyncSession, active: TrainedModel
) -> None:
    from sqlalchemy import func, select

    from tests.catalog.factories import create_gig
    from twinwork.account.service import account_service
    from twinwork.generation.models import Generation

    owner = await account_service.get(session, row_id("user", active.owner_user["id"]))
    assert owner is not None
    gig = await create_gig(session, owner)
    user, poor = await api_signup(client, display_name="Penny Less")
    refused = await order(client, poor, gig.public_id, kind="ai", brief="A verse about rain")
    assert refused.status_code == 402, refused.text
    assert "top up" in refused.json()["detail"]
    made = await session.scalar(
        select(func.count(Generation.id)).where(
            Generation.buyer_user_id == row_id("user", user["id"])
        )
    )
    assert made == 0
