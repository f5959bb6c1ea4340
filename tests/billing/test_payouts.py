"""Earnings clear from pending to available, then leave as payouts; failures come back."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from twinwork.account.models import User
from twinwork.billing.payout.service import earnings_service
from twinwork.billing.payout.transfer import (
    clear_earnings,
    finish_unfinished_payouts,
    send_payout_now,
)
from twinwork.kit.db import unit_of_work, utcnow
from twinwork.kit.public_ids import PATTERN, row_id
from twinwork.ledger.service import Leg, ledger_service

CLOSED_ACCOUNT = "000111111116"


async def sale(session: AsyncSession, freelancer_id: int, amount: int) -> None:
    """A per-use sale as the generation purchase books it: 80% pending, 20% platform fee."""
    owner = await session.get(User, freelancer_id)
    assert owner is not None
    clearing = await ledger_service.account(session, "payment_clearing", "USD")
    pending = await ledger_service.account(session, "freelancer_pending", "USD", owner)
    revenue = await ledger_service.account(session, "platform_revenue", "USD")
    fee = amount // 5
    await ledger_service.post(
        session,
        reason="generation_purchase",
        reference_type="generation",
        reference_id="test",
        legs=[Leg(clearing, -amount), Leg(pending, amount - fee), Leg(revenue, fee)],
    )


async def freelancer(client: httpx.AsyncClient) -> tuple[int, dict[str, str]]:
    user, headers = await api_signup(client, roles=("freelancer",))
    return row_id("user", user["id"]), headers


async def earnings(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, int]:
    return (await client.get("/api/v1/earnings", headers=headers)).json()  # type: ignore[no-any-return]


async def test_earnings_clear_after_the_clearing_period_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user_id, headers = await freelancer(client)
    await sale(session, user_id, 5000)
    assert (await earnings(client, headers))["pending_amount"] == 4000
    await clear_earnings(sessionmaker, utcnow() + timedelta(days=1))
    assert (await earnings(client, headers))["available_amount"] == 0  # not yet 7 days
    await clear_earnings(sessionmaker, utcnow() + timedelta(days=7, minutes=1))
    await clear_earnings(sessionmaker, utcnow() + timedelta(days=8))
    body = await earnings(client, headers)
    assert (body["pending_amount"], body["available_amount"]) == (0, 4000)


async def test_payout_pays_out_available_money(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from twinwork.config import get_settings

    monkeypatch.setattr(get_settings(), "earnings_clearing_days", 0)
    user_id, headers = await freelancer(client)
    await sale(session, user_id, 5000)
    requested = await client.post(
        "/api/v1/payouts", json={"amount": 3000}, headers={**headers, "Idempotency-Key": "p1"}
    )
    assert requested.status_code == 201, requested.text
    payout = requested.json()
    assert payout["status"] == "requested"
    assert re.fullmatch(PATTERN, payout["id"])  # a public id, not a counter
    again = await client.post(
        "/api/v1/payouts", json={"amount": 3000}, headers={**headers, "Idempotency-Key": "p1"}
    )
    assert again.json()["id"] == payout["id"]  # a retry is the same payout
    body = await earnings(client, headers)
    assert (body["available_amount"], body["in_transit_amount"]) == (1000, 3000)

    assert await send_payout_now(sessionmaker, row_id("payout", payout["id"])) == "paid"
    assert await send_payout_now(sessionmaker, row_id("payout", payout["id"])) == "skipped"
    body = await earnings(client, headers)
    assert (body["available_amount"], body["in_transit_amount"]) == (1000, 0)
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0


async def test_failed_transfer_returns_the_money(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from twinwork.config import get_settings

    monkeypatch.setattr(get_settings(), "earnings_clearing_days", 0)
    user_id, headers = await freelancer(client)
    await sale(session, user_id, 5000)
    payout = (
        await client.post(
            "/api/v1/payouts",
            json={"amount": 4000, "bank_account": CLOSED_ACCOUNT},
            headers=headers,
        )
    ).json()
    assert await send_payout_now(sessionmaker, row_id("payout", payout["id"])) == "failed"
    [listed] = (await client.get("/api/v1/payouts", headers=headers)).json()
    assert listed["status"] == "failed" and "closed" in listed["failure_message"]
    body = await earnings(client, headers)
    assert (body["available_amount"], body["in_transit_amount"]) == (4000, 0)


@pytest.mark.parametrize(
    ("amount", "status", "message"),
    [(500, 422, "smallest payout"), (999_999, 402, "withdraw up to $40 now"), (-5, 422, "")],
)
async def test_bad_payouts_leave_the_ledger_unchanged(
    client: httpx.AsyncClient,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    amount: int,
    status: int,
    message: str,
) -> None:
    from twinwork.config import get_settings

    monkeypatch.setattr(get_settings(), "earnings_clearing_days", 0)
    user_id, headers = await freelancer(client)
    await sale(session, user_id, 5000)
    before = await earnings(client, headers)
    response = await client.post("/api/v1/payouts", json={"amount": amount}, headers=headers)
    assert response.status_code == status, response.text
    assert message in response.text
    after = await earnings(client, headers)
    # Clearing may have run (it moves pending to available); nothing went in transit.
    assert after["in_transit_amount"] == 0
    assert after["available_amount"] + after["pending_amount"] == sum(
        before[k] for k in ("available_amount", "pending_amount")
    )
    assert (await client.get("/api/v1/payouts", headers=headers)).json() == []


async def test_a_payout_killed_after_the_transfer_is_recorded_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from twinwork.config import get_settings

    monkeypatch.setattr(get_settings(), "earnings_clearing_days", 0)
    user_id, headers = await freelancer(client)
    await sale(session, user_id, 5000)
    payout = (await client.post("/api/v1/payouts", json={"amount": 2000}, headers=headers)).json()
    async with unit_of_work(sessionmaker) as uow:
        transfer = await earnings_service.start_transfer(uow, row_id("payout", payout["id"]))
    assert transfer is not None
    first = await earnings_service.transfer(transfer)
    # ... the worker dies here: processing, money in transit, nothing recorded.
    assert (await earnings(client, headers))["in_transit_amount"] == 2000
    statuses = await finish_unfinished_payouts(sessionmaker, utcnow() + timedelta(minutes=10))
    assert "paid" in statuses
    from twinwork.billing.models import Payout

    row = await session.get(Payout, row_id("payout", payout["id"]), populate_existing=True)
    assert row is not None and row.external_id == first.external_id  # one transfer, not two
    body = await earnings(client, headers)
    assert (body["available_amount"], body["in_transit_amount"]) == (2000, 0)
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0


async def test_statement_lists_every_earning_movement(
    client: httpx.AsyncClient,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.web.test_pages import signed_in_user
    from twinwork.config import get_settings

    monkeypatch.setattr(get_settings(), "earnings_clearing_days", 0)
    user = await signed_in_user(client, session)
    await sale(session, user.id, 5000)
    await earnings_service.clear_due(session, utcnow(), user)
    csv_text = (await client.get("/dashboard/earnings/statement.csv")).text
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("date,account,reason")
    assert any("generation_purchase" in line and "40.00" in line for line in lines)
    assert any("earnings_cleared" in line and "-40.00" in line for line in lines)
    page = await client.get("/dashboard/earnings")
    assert page.status_code == 200 and "$40" in page.text
