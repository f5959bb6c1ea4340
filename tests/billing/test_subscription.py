"""The creation-program subscription: join, renew, grace, lapse, cancel, resume, crash safety."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from twinwork.billing.models import Invoice, ProgramSubscription
from twinwork.billing.subscription import RenewalCharge, subscription_service
from twinwork.billing.tasks import renew_due
from twinwork.creation.models import PersonalModel
from twinwork.kit.db import unit_of_work
from twinwork.ledger.models import LedgerTransaction
from twinwork.ledger.service import ledger_service

GOOD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


async def join(client: httpx.AsyncClient, card: str = GOOD) -> tuple[dict[str, str], Any]:
    user, headers = await api_signup(client, roles=("freelancer",))
    response = await client.post(
        "/api/v1/subscriptions", json={"card_number": card}, headers=headers
    )
    return headers, response


async def subscription_of(session: AsyncSession, headers: dict[str, str], client: Any) -> Any:
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    row = await session.get(ProgramSubscription, body["id"], populate_existing=True)
    assert row is not None
    return row


async def invoice_transactions(session: AsyncSession, invoice_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                LedgerTransaction.reference_type == "invoice",
                LedgerTransaction.reference_id == str(invoice_id),
            )
        )
        or 0
    )


async def active_model(session: AsyncSession, user_id: int) -> PersonalModel:
    model = PersonalModel(
        owner_user_id=user_id,
        modality="text",
        name="M",
        is_active=True,
        approved_version_id=1,
        price_amount=300,
    )
    session.add(model)
    await session.flush()
    return model


async def test_joining_charges_the_first_month_into_platform_revenue(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers, response = await join(client)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "active" and body["member"] is True
    assert body["amount"] == 2500 and body["card_last4"] == "4242"
    [invoice] = body["invoices"]
    assert invoice["status"] == "paid" and invoice["amount"] == 2500
    assert await invoice_transactions(session, invoice["id"]) == 1
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0
    again = await client.post("/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("card", "status"), [(DECLINED, 402), ("4000 0000 0000 9995", 402), ("12ab", 422)]
)
async def test_a_bad_card_joins_nothing(client: httpx.AsyncClient, card: str, status: int) -> None:
    headers, response = await join(client, card)
    assert response.status_code == status, response.text
    current = await client.get("/api/v1/subscriptions/current", headers=headers)
    assert current.status_code == 404


async def test_buyers_cannot_join(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("buyer",))
    response = await client.post(
        "/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers
    )
    assert response.status_code == 403


async def test_renewal_charges_once_per_period(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    headers, _ = await join(client)
    subscription = await subscription_of(session, headers, client)
    first_end: datetime = subscription.current_period_end
    later = first_end + timedelta(minutes=1)
    outcomes = await renew_due(sessionmaker, later)
    assert [o.status for o in outcomes if o.subscription_id == subscription.id] == ["active"]
    await renew_due(sessionmaker, later + timedelta(hours=1))  # nothing is due again
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert [i["status"] for i in body["invoices"]] == ["paid", "paid"]
    renewed = await subscription_of(session, headers, client)
    assert renewed.current_period_start == first_end
    assert renewed.current_period_end == first_end + timedelta(days=30)


async def test_failed_renewal_grace_then_lapse_switches_models_off(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    headers, _ = await join(client)
    subscription = await subscription_of(session, headers, client)
    model = await active_model(session, subscription.user_id)
    await client.put(
        "/api/v1/subscriptions/current/card", json={"card_number": DECLINED}, headers=headers
    )
    due = subscription.current_period_end + timedelta(minutes=1)
    await renew_due(sessionmaker, due)
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "past_due" and body["member"] is True
    assert body["invoices"][0]["status"] == "failed" and body["invoices"][0]["attempts"] == 1
    await session.refresh(model)
    assert model.is_active  # still selling during the grace period

    await renew_due(sessionmaker, due + timedelta(hours=2))  # retried once a day, not hourly
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["invoices"][0]["attempts"] == 1

    await renew_due(sessionmaker, due + timedelta(days=8))
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "lapsed" and body["member"] is False
    await session.refresh(model)
    assert not model.is_active and model.erased_at is None  # switched off, not erased
    check = await ledger_service.check(session)
    assert check.balanced


async def test_a_new_card_during_grace_pays_the_renewal(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    headers, _ = await join(client)
    subscription = await subscription_of(session, headers, client)
    await client.put(
        "/api/v1/subscriptions/current/card", json={"card_number": DECLINED}, headers=headers
    )
    due = subscription.current_period_end + timedelta(minutes=1)
    await renew_due(sessionmaker, due)
    await client.put(
        "/api/v1/subscriptions/current/card", json={"card_number": GOOD}, headers=headers
    )
    await renew_due(sessionmaker, due + timedelta(days=1, minutes=1))
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "active" and body["grace_until"] is None
    assert body["invoices"][0]["status"] == "paid" and body["invoices"][0]["attempts"] == 2


async def test_cancel_keeps_membership_to_period_end_then_ends(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    headers, _ = await join(client)
    subscription = await subscription_of(session, headers, client)
    model = await active_model(session, subscription.user_id)
    cancelled = (await client.delete("/api/v1/subscriptions/current", headers=headers)).json()
    assert cancelled["cancel_at_period_end"] and cancelled["member"]
    resumed = await client.post("/api/v1/subscriptions/current/resume", headers=headers)
    assert resumed.json()["cancel_at_period_end"] is False
    assert (
        await client.post("/api/v1/subscriptions/current/resume", headers=headers)
    ).status_code == 409
    await client.delete("/api/v1/subscriptions/current", headers=headers)
    await renew_due(sessionmaker, subscription.current_period_end + timedelta(minutes=1))
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "ended" and body["member"] is False
    assert len(body["invoices"]) == 1  # nothing charged after cancelling
    await session.refresh(model)
    assert not model.is_active
    rejoined = await client.post(
        "/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers
    )
    assert rejoined.status_code == 201


async def test_a_renewal_killed_after_the_charge_is_recorded_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Step 1 committed, the card charged, then the worker dies before recording: the next run
    charges again under the same key (the provider returns the first charge) and records once."""
    headers, _ = await join(client)
    subscription = await subscription_of(session, headers, client)
    due = subscription.current_period_end + timedelta(minutes=1)
    async with unit_of_work(sessionmaker) as uow:
        step = await subscription_service.prepare_renewal(uow, subscription.id, due)
    assert isinstance(step, RenewalCharge)
    first_charge = await subscription_service.charge(step)
    assert first_charge.succeeded
    # ... killed here. The invoice is open, nothing is in the ledger for it.
    invoice = await session.get(Invoice, step.invoice_id, populate_existing=True)
    assert invoice is not None and invoice.status == "open"
    assert await invoice_transactions(session, step.invoice_id) == 0

    await renew_due(sessionmaker, due + timedelta(minutes=5))
    invoice = await session.get(Invoice, step.invoice_id, populate_existing=True)
    assert invoice is not None and invoice.status == "paid"
    assert invoice.external_id == first_charge.external_id  # the first charge, not a second
    assert await invoice_transactions(session, step.invoice_id) == 1
    await renew_due(sessionmaker, due + timedelta(minutes=10))
    assert await invoice_transactions(session, step.invoice_id) == 1
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0
