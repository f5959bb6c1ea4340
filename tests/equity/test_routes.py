"""The equity API: rounds (409 for a year not over or run already, 422 for a price that is
not positive, nothing half-written), the rules, and a freelancer's own grants and progress."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup, create_user
from tests.equity.factories import LAST_YEAR, THIS_YEAR, day, earn, freelancer
from tests.order.test_disputes import admin_headers
from tests.order.test_orders import funded_buyer, order, seller_with_gig
from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.billing.sale import platform_fee
from twinwork.equity.models import EquityGrant, EquityRound
from twinwork.equity.service import equity_service

ROUNDS = "/api/v1/admin/equity/rounds"


async def headers_of(session: AsyncSession, user: User) -> dict[str, str]:
    token = await account_service.issue_api_token(session, user)
    await session.commit()
    return {"Authorization": f"Bearer {token}"}


async def qualified(session: AsyncSession, name: str = "Quinn Qualified") -> User:
    user = await freelancer(session, name=name)
    await earn(session, user, 3_000_000, day(LAST_YEAR - 1, 6))
    await earn(session, user, 3_600_000, day(LAST_YEAR, 6))
    await session.commit()
    return user


async def test_preview_then_round_then_the_round_with_its_grants(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    user = await qualified(session)
    preview = await client.get(f"{ROUNDS}/{LAST_YEAR}", headers=admin)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["status"], body["can_run"], body["round"]) == ("preview", True, None)
    [mine] = [e for e in body["eligible"] if e["user_id"] == user.public_id]
    assert mine["earnings_amount"] == 3_600_000 and mine["growth_basis_points"] == 2000
    assert {c["key"]: c["passed"] for c in mine["checks"]} == {
        "level": True,
        "earnings": True,
        "residency": True,
    }

    ran = await client.post(
        ROUNDS, json={"year": LAST_YEAR, "share_price_amount": 3_000}, headers=admin
    )
    assert ran.status_code == 201, ran.text
    assert ran.json()["status"] == "granted"
    [grant] = [g for g in ran.json()["grants"] if g["user_id"] == user.public_id]
    assert (grant["shares"], grant["remainder_amount"], grant["tranche"]) == (83, 1_000, 1)

    after = (await client.get(f"{ROUNDS}/{LAST_YEAR}", headers=admin)).json()
    assert after["status"] == "granted" and after["round"]["share_price_amount"] == 3_000
    assert after["eligible"] == [] and not after["can_run"]

    mine_only = await client.get("/api/v1/equity/grants", headers=await headers_of(session, user))
    assert [g["id"] for g in mine_only.json()] == [grant["id"]]


async def test_rounds_for_a_year_not_over_or_run_twice_are_409_and_write_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    await qualified(session)
    for year in (THIS_YEAR, THIS_YEAR + 1):
        early = await client.post(
            ROUNDS, json={"year": year, "share_price_amount": 1_000}, headers=admin
        )
        assert early.status_code == 409, early.text
        assert early.headers["content-type"].startswith("application/problem+json")
        assert "not over" in early.json()["detail"]
    first = await client.post(
        ROUNDS, json={"year": LAST_YEAR, "share_price_amount": 1_000}, headers=admin
    )
    assert first.status_code == 201
    grants = await session.scalar(select(func.count()).select_from(EquityGrant))
    second = await client.post(
        ROUNDS, json={"year": LAST_YEAR, "share_price_amount": 900}, headers=admin
    )
    assert second.status_code == 409
    assert "nothing was granted again" in second.json()["detail"]
    assert await session.scalar(select(func.count()).select_from(EquityGrant)) == grants
    rounds = await session.scalar(
        select(func.count()).select_from(EquityRound).where(EquityRound.year == THIS_YEAR)
    )
    assert rounds == 0


async def test_a_share_price_of_zero_or_less_is_422_with_a_clear_message(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    for price in (0, -100):
        response = await client.post(
            ROUNDS, json={"year": LAST_YEAR, "share_price_amount": price}, headers=admin
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "share price must be more than zero" in response.text
    for body in ({"year": LAST_YEAR}, {"year": "last", "share_price_amount": 100}):
        assert (await client.post(ROUNDS, json=body, headers=admin)).status_code == 422
    assert (await client.get(f"{ROUNDS}/1999", headers=admin)).status_code == 422
    assert await session.scalar(select(func.count()).select_from(EquityRound)) == 0


async def test_rules_are_read_and_replaced_by_operators(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    rules = (await client.get("/api/v1/admin/equity/rules", headers=admin)).json()
    assert rules["qualifying_levels"] == ["top_rated", "pro"]
    assert (rules["min_earnings_amount"], rules["high_earnings_amount"]) == (3_000_000, 10_000_000)
    assert (rules["grant_amount"], rules["tranches"], rules["min_growth_percent"]) == (
        250_000,
        4,
        10,
    )
    changed = {**rules, "allowed_countries": ["us", "GB"]}
    for key in ("currency", "updated_at"):
        changed.pop(key)
    put = await client.put("/api/v1/admin/equity/rules", json=changed, headers=admin)
    assert put.status_code == 200, put.text
    assert put.json()["allowed_countries"] == ["US", "GB"]
    bad = await client.put(
        "/api/v1/admin/equity/rules",
        json={**changed, "allowed_countries": ["Germany"]},
        headers=admin,
    )
    assert bad.status_code == 422 and "two-letter country code" in bad.text


async def test_residency_rule_turns_a_non_resident_into_a_near_miss(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    user = await freelancer(session, country="DE", name="Dana Deutsch")
    await earn(session, user, 11_000_000, day(LAST_YEAR, 6))
    await session.commit()
    rules = (await client.get("/api/v1/admin/equity/rules", headers=admin)).json()
    body = {k: v for k, v in rules.items() if k not in ("currency", "updated_at")}
    await client.put(
        "/api/v1/admin/equity/rules", json={**body, "allowed_countries": ["US"]}, headers=admin
    )
    preview = (await client.get(f"{ROUNDS}/{LAST_YEAR}", headers=admin)).json()
    [miss] = [m for m in preview["near_misses"] if m["user_id"] == user.public_id]
    assert miss["lacking"] == ["residency"]


async def test_a_freelancer_sees_only_their_own_grants_and_buyers_none(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await create_user(session, roles=("admin",))
    owner = await qualified(session, "Olga Owner")
    report = await equity_service.run_round(session, admin, LAST_YEAR, 2_500)
    await session.commit()
    assert [g.user_id for g in report.grants] == [owner.id]
    _, stranger = await api_signup(client, roles=("freelancer",))
    _, buyer = await api_signup(client, roles=("buyer",))
    assert (await client.get("/api/v1/equity/grants", headers=stranger)).json() == []
    assert (await client.get("/api/v1/equity/grants", headers=buyer)).json() == []
    assert (await client.get("/api/v1/equity/progress", headers=buyer)).status_code == 403


async def test_progress_counts_an_accepted_order_and_not_a_cancelled_one(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client, 40_000)
    accepted = (await order(client, buyer, gig_id, kind="human", brief="A logo")).json()
    url = f"/api/v1/orders/{accepted['id']}"
    await client.post(f"{url}/deliveries", json={"text": "Here it is"}, headers=seller)
    assert (await client.post(f"{url}/accept", headers=buyer)).status_code == 200
    cancelled = (await order(client, buyer, gig_id, kind="human", brief="Another")).json()
    cancel = await client.post(f"/api/v1/orders/{cancelled['id']}/cancel", headers=buyer)
    assert cancel.status_code == 200, cancel.text

    progress = await client.get("/api/v1/equity/progress", headers=seller)
    assert progress.status_code == 200, progress.text
    body = progress.json()
    price = accepted["price_amount"]
    assert body["earnings_amount"] == price - platform_fee(price)
    assert body["to_bar_amount"] == body["min_earnings_amount"] - body["earnings_amount"]
    assert [t["status"] for t in body["schedule"]] == ["in_progress"] + ["not_started"] * 3
    assert body["on_track"] is False
