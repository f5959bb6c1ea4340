"""The creation-program subscription: join, renew, grace, lapse, cancel, resume, crash safety."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.billing.factories import DyingProvider, patch_provider
from tests.billing.test_routes import dying_client
from tests.program.factories import admit_api_user, invite
from twinwork.creation.models import PersonalModel
from twinwork.kit.db import unit_of_work, utcnow
from twinwork.kit.public_ids import row_id
from twinwork.ledger.models import LedgerTransaction
from twinwork.ledger.service import ledger_service
from twinwork.program.membership import membership
from twinwork.program.models import Invoice, ProgramSubscription
from twinwork.program.renewal import finish_unrecorded_invoices, refund_now, renew_due
from twinwork.program.subscription import RenewalCharge, subscription_service

GOOD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


async def join(client: httpx.AsyncClient, card: str = GOOD) -> tuple[dict[str, str], Any]:
    user, headers = await api_signup(client, roles=("freelancer",))
    await admit_api_user(client, user)
    response = await client.post(
        "/api/v1/subscriptions", json={"card_number": card}, headers=headers
    )
    return headers, response


async def subscription_of(session: AsyncSession, headers: dict[str, str], client: Any) -> Any:
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    row = await session.get(
        ProgramSubscription, row_id("subscription", body["id"]), populate_existing=True
    )
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
    assert await invoice_transactions(session, row_id("invoice", invoice["id"])) == 1
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
    # The seat went back with the membership: joining again takes a seat again.
    refused = await client.post(
        "/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers
    )
    assert refused.status_code == 403 and "apply" in refused.json()["detail"]
    await admit_api_user(client, (await client.get("/api/v1/me", headers=headers)).json())
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


# ---- the first period: committed pending, then charged, then recorded --------------------


async def test_a_sign_up_killed_after_the_charge_becomes_a_membership_by_the_job(
    app: Any,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first period is charged, then the request dies. The pending sign-up was committed
    before the charge: it is no membership meanwhile, and the job looks the charge up under
    its key and records it once, making the membership."""
    provider = DyingProvider()
    patch_provider(monkeypatch, provider)
    async with dying_client(app, sessionmaker) as client:
        user, headers = await api_signup(client, roles=("freelancer",))
        await admit_api_user(client, user)
        died = await client.post(
            "/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers
        )
        assert died.status_code == 500
        assert (
            await client.get("/api/v1/subscriptions/current", headers=headers)
        ).status_code == 404
        assert not await membership.is_member(session, row_id("user", user["id"]))
        busy = await client.post(
            "/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers
        )
        assert busy.status_code == 409  # one sign-up at a time: no second charge

        assert await finish_unrecorded_invoices(sessionmaker, utcnow() + timedelta(minutes=6)) == [
            "active"
        ]
        body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
        assert body["status"] == "active" and body["member"] is True
        [invoice] = body["invoices"]
        assert invoice["status"] == "paid"
    assert len(provider.charge_keys) == 1
    assert await invoice_transactions(session, row_id("invoice", invoice["id"])) == 1
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0


async def test_a_sign_up_retried_with_its_key_after_a_crash_charges_once(
    app: Any,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = DyingProvider()
    patch_provider(monkeypatch, provider)
    async with dying_client(app, sessionmaker) as client:
        user, headers = await api_signup(client, roles=("freelancer",))
        await admit_api_user(client, user)
        keyed = {**headers, "Idempotency-Key": "join-1"}
        join_body = {"card_number": GOOD}
        assert (
            await client.post("/api/v1/subscriptions", json=join_body, headers=keyed)
        ).status_code == 500
        retried = await client.post("/api/v1/subscriptions", json=join_body, headers=keyed)
        assert retried.status_code == 201, retried.text
        again = await client.post("/api/v1/subscriptions", json=join_body, headers=keyed)
        assert again.status_code == 201 and again.json()["id"] == retried.json()["id"]
        other_key = await client.post(
            "/api/v1/subscriptions", json=join_body, headers={**headers, "Idempotency-Key": "2"}
        )
        assert other_key.status_code == 409  # already a member
    assert len(set(provider.charge_keys)) == 1  # every charge under one key: one at most
    first = await provider.lookup(str(provider.charge_keys[0]))
    [invoice] = retried.json()["invoices"]
    row = await session.get(Invoice, row_id("invoice", invoice["id"]), populate_existing=True)
    assert first is not None and row is not None and row.external_id == first.external_id
    assert await invoice_transactions(session, row_id("invoice", invoice["id"])) == 1


async def test_a_declined_sign_up_is_no_membership_and_its_key_answers_402_again(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on the program page: a declined card first, then another card joins."""
    provider = DyingProvider()
    provider.dying = False
    patch_provider(monkeypatch, provider)
    user, headers = await api_signup(client, roles=("freelancer",))
    await admit_api_user(client, user)
    declined_key = {**headers, "Idempotency-Key": "declined"}
    first = await client.post(
        "/api/v1/subscriptions", json={"card_number": DECLINED}, headers=declined_key
    )
    assert first.status_code == 402 and first.json()["code"] == "card_declined"
    again = await client.post(
        "/api/v1/subscriptions", json={"card_number": DECLINED}, headers=declined_key
    )
    assert again.status_code == 402 and again.json()["detail"] == first.json()["detail"]
    assert len(provider.charge_keys) == 1  # the retry was answered from the recorded decline
    assert (await client.get("/api/v1/subscriptions/current", headers=headers)).status_code == 404
    assert not await membership.is_member(session, row_id("user", user["id"]))

    joined = await client.post("/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers)
    assert joined.status_code == 201 and joined.json()["member"] is True
    statuses = sorted(i["status"] for i in joined.json()["invoices"])
    assert statuses == ["failed", "paid"]  # the declined attempt stays on record
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0


async def test_a_sign_up_killed_before_the_charge_is_given_up_and_never_charged(
    app: Any,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The job never charges a sign-up nobody is waiting for: it looks it up, and fails it as
    not charged once no request can still be making the charge. The freelancer can join."""
    provider = DyingProvider(before=True)
    patch_provider(monkeypatch, provider)
    async with dying_client(app, sessionmaker) as client:
        user, headers = await api_signup(client, roles=("freelancer",))
        await admit_api_user(client, user)
        join_body = {"card_number": GOOD}
        assert (
            await client.post("/api/v1/subscriptions", json=join_body, headers=headers)
        ).status_code == 500
        assert await finish_unrecorded_invoices(sessionmaker, utcnow() + timedelta(minutes=6)) == [
            "pending"
        ]
        assert await finish_unrecorded_invoices(sessionmaker, utcnow() + timedelta(minutes=16)) == [
            "failed"
        ]
        assert provider.charge_keys == []
        joined = await client.post("/api/v1/subscriptions", json=join_body, headers=headers)
        assert joined.status_code == 201 and joined.json()["member"] is True
    assert len(provider.charge_keys) == 1


# ---- a renewal's answer arriving after its membership ended ------------------------------


async def past_due(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> tuple[dict[str, str], Any, datetime]:
    """A member whose renewal was declined: past due, in the grace period."""
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
    return headers, await subscription_of(session, headers, client), due


async def test_a_renewal_paid_after_the_member_cancelled_is_refunded_not_revived(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    headers, subscription, due = await past_due(client, session, sessionmaker)
    model = await active_model(session, subscription.user_id)
    retry_at = due + timedelta(days=1, minutes=1)
    async with unit_of_work(sessionmaker) as uow:
        step = await subscription_service.prepare_renewal(uow, subscription.id, retry_at)
    assert isinstance(step, RenewalCharge)
    charged = await subscription_service.charge(step)
    assert charged.succeeded
    # ... meanwhile the freelancer cancels: unpaid, so the membership ends at once.
    cancelled = await client.delete("/api/v1/subscriptions/current", headers=headers)
    assert cancelled.json()["status"] == "ended"
    await session.refresh(model)
    assert not model.is_active

    async with unit_of_work(sessionmaker) as uow:
        outcome = await subscription_service.record_renewal(uow, step, charged, retry_at)
    assert outcome.status == "ended" and outcome.refund is not None
    assert await refund_now(sessionmaker, outcome.refund) == "refunded"
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "ended" and body["member"] is False
    invoice = await session.get(Invoice, step.invoice_id, populate_existing=True)
    assert invoice is not None and invoice.status == "refunded"
    assert invoice.external_id == charged.external_id
    # Paid and given back: two transactions on the invoice, netting to nothing.
    assert await invoice_transactions(session, step.invoice_id) == 2
    await session.refresh(model)
    assert not model.is_active
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0


async def test_the_job_refunds_a_charge_left_unrecorded_when_the_member_cancelled(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The retry charged, its worker died, then the freelancer cancelled: no renewal run
    looks at an ended membership, so the job for unrecorded charges finds it and refunds."""
    headers, subscription, due = await past_due(client, session, sessionmaker)
    retry_at = due + timedelta(days=1, minutes=1)
    async with unit_of_work(sessionmaker) as uow:
        step = await subscription_service.prepare_renewal(uow, subscription.id, retry_at)
    assert isinstance(step, RenewalCharge)
    assert (await subscription_service.charge(step)).succeeded
    # ... killed here; then the freelancer cancels.
    await client.delete("/api/v1/subscriptions/current", headers=headers)
    await finish_unrecorded_invoices(sessionmaker, retry_at + timedelta(minutes=6))
    invoice = await session.get(Invoice, step.invoice_id, populate_existing=True)
    assert invoice is not None and invoice.status == "refunded"
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "ended"
    assert await invoice_transactions(session, step.invoice_id) == 2


async def test_grace_ending_first_records_an_attempt_that_was_charged(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The last retry in grace charged the card and its worker died. When grace ends, the job
    looks that attempt up before lapsing: it was paid, so the membership goes on."""
    headers, subscription, due = await past_due(client, session, sessionmaker)
    retry_at = due + timedelta(days=1, minutes=1)
    async with unit_of_work(sessionmaker) as uow:
        step = await subscription_service.prepare_renewal(uow, subscription.id, retry_at)
    assert isinstance(step, RenewalCharge)
    charged = await subscription_service.charge(step)
    # ... killed here, and no run comes until grace is over.
    await renew_due(sessionmaker, subscription.grace_until + timedelta(minutes=1))
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "active" and body["member"] is True
    invoice = await session.get(Invoice, step.invoice_id, populate_existing=True)
    assert invoice is not None and invoice.status == "paid"
    assert invoice.external_id == charged.external_id
    assert await invoice_transactions(session, step.invoice_id) == 1


async def test_grace_ending_lapses_when_the_unrecorded_attempt_never_charged(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers, subscription, due = await past_due(client, session, sessionmaker)
    model = await active_model(session, subscription.user_id)
    retry_at = due + timedelta(days=1, minutes=1)
    async with unit_of_work(sessionmaker) as uow:
        step = await subscription_service.prepare_renewal(uow, subscription.id, retry_at)
    assert isinstance(step, RenewalCharge)
    # ... killed before charging. At grace's end the job looks, and charges nothing new.
    provider = DyingProvider()
    provider.dying = False
    patch_provider(monkeypatch, provider)
    await renew_due(sessionmaker, subscription.grace_until + timedelta(minutes=1))
    assert provider.charge_keys == []
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "lapsed" and body["member"] is False
    invoice = await session.get(Invoice, step.invoice_id, populate_existing=True)
    assert invoice is not None and invoice.status == "failed"
    assert invoice.failure_code == "not_charged"
    await session.refresh(model)
    assert not model.is_active


# ---- a membership ends and its models switch off in one unit of work ---------------------


async def test_a_lapse_and_its_switch_off_commit_together(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A crash while switching the models off must not leave a lapsed membership with its
    models still selling: both roll back, and the next run does both."""
    from twinwork.creation.service import creation_service

    headers, subscription, _ = await past_due(client, session, sessionmaker)
    await client.put(
        "/api/v1/subscriptions/current/card", json={"card_number": DECLINED}, headers=headers
    )
    model = await active_model(session, subscription.user_id)
    after_grace = subscription.grace_until + timedelta(minutes=1)
    real_switch_off = creation_service.deactivate_all_for_owner

    async def crash(*_args: Any) -> int:
        raise RuntimeError("killed while switching models off")

    # The listener creation registered with the program, replaced by one that crashes.
    monkeypatch.setattr("twinwork.program.membership._ended_listeners", [crash])
    assert await renew_due(sessionmaker, after_grace) == []  # logged, retried next run
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "past_due"
    await session.refresh(model)
    assert model.is_active

    monkeypatch.setattr("twinwork.program.membership._ended_listeners", [real_switch_off])
    [outcome] = await renew_due(sessionmaker, after_grace + timedelta(hours=1))
    assert outcome.status == "lapsed"
    await session.refresh(model)
    assert not model.is_active


async def test_program_page_joins_after_a_declined_card_charging_each_form_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """The page journey: a declined card shows the form again with a fresh key; a good card
    joins, and the same form sent twice (a double-click) answers as the first time did."""
    import re

    from tests.web.test_pages import signed_in_user
    from twinwork.kit.csrf import CSRF_COOKIE

    user = await signed_in_user(client, session)
    await invite(session, user)
    await session.commit()
    page = await client.get("/dashboard/program")
    [first_key] = re.findall(r'name="idempotency_key" value="([^"]+)"', page.text)
    form = {"csrf_token": client.cookies.get(CSRF_COOKIE), "card_number": DECLINED}
    declined = await client.post(
        "/dashboard/program/subscribe", data={**form, "idempotency_key": first_key}
    )
    assert declined.status_code == 402 and "declined" in declined.text
    assert f'value="{DECLINED}"' not in declined.text  # a card number is never echoed
    [second_key] = re.findall(r'name="idempotency_key" value="([^"]+)"', declined.text)
    assert second_key != first_key
    good = {**form, "card_number": GOOD, "idempotency_key": second_key}
    assert (await client.post("/dashboard/program/subscribe", data=good)).status_code == 303
    assert (await client.post("/dashboard/program/subscribe", data=good)).status_code == 303
    page = await client.get("/dashboard/program?done=subscribe")
    assert "Welcome to the creation program" in page.text and "Paid" in page.text
    assert await membership.is_member(session, user.id)
    paid = await session.scalar(
        select(func.count()).where(Invoice.user_id == user.id, Invoice.status == "paid")
    )
    assert paid == 1


async def test_the_seller_dashboard_warns_during_grace_and_after_a_lapse(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from tests.web.test_pages import sign_in

    user, headers = await api_signup(client, roles=("freelancer",))
    await admit_api_user(client, user)
    await client.post("/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers)
    await client.put(
        "/api/v1/subscriptions/current/card", json={"card_number": DECLINED}, headers=headers
    )
    await sign_in(client, str(user["email"]))
    assert "grace-notice" not in (await client.get("/dashboard/freelancer")).text
    subscription = await subscription_of(session, headers, client)
    due = subscription.current_period_end + timedelta(minutes=1)
    await renew_due(sessionmaker, due)
    page = await client.get("/dashboard/freelancer")
    assert "renewal failed" in page.text and "Update your card" in page.text
    await renew_due(sessionmaker, due + timedelta(days=8))
    page = await client.get("/dashboard/freelancer")
    assert "membership lapsed" in page.text and "switched off (not erased)" in page.text
