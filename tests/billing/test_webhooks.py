"""Stripe webhooks: really signed payloads posted to the app, stored once in the inbox, handled
once, and retried by the job when handling fails."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup, create_user
from tests.billing.test_payouts import earnings, freelancer, sale
from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.billing.models import Payment, Payout, WebhookEvent
from twinwork.billing.payout.service import earnings_service
from twinwork.billing.payout.transfer import send_payout_now
from twinwork.billing.webhook import service as webhooks
from twinwork.billing.webhook.tasks import retry_events, retry_webhook_events
from twinwork.config import get_settings
from twinwork.kit.db import unit_of_work, utcnow
from twinwork.kit.public_ids import PATTERN, row_id
from twinwork.ledger.models import LedgerTransaction
from twinwork.ledger.service import ledger_service
from twinwork.program.models import Invoice

SECRET = "whsec_test_0123456789abcdef"
URL = "/api/v1/webhooks/stripe"


def stripe_event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> str:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "type": event_type,
            "data": {"object": obj},
        }
    )


def signature(payload: str, secret: str = SECRET, timestamp: int | None = None) -> str:
    """Stripe's scheme: t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>" with the secret>."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


async def deliver(
    client: httpx.AsyncClient, payload: str, sig: str | None = None
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    headers["Stripe-Signature"] = signature(payload) if sig is None else sig
    return await client.post(URL, content=payload, headers=headers)


async def inbox(session: AsyncSession, external_id: str) -> list[WebhookEvent]:
    result = await session.scalars(
        select(WebhookEvent)
        .where(WebhookEvent.external_id == external_id)
        .execution_options(populate_existing=True)
    )
    return list(result)


async def transactions(session: AsyncSession, reason: str, reference_id: str) -> int:
    count = await session.scalar(
        select(func.count()).where(
            LedgerTransaction.reason == reason, LedgerTransaction.reference_id == reference_id
        )
    )
    return int(count or 0)


@pytest.fixture(autouse=True)
def webhook_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(get_settings(), "stripe_webhook_secret", SECRET)
    monkeypatch.setattr(get_settings(), "earnings_clearing_days", 0)
    yield


async def paid_payout(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> tuple[Payout, dict[str, str]]:
    """A freelancer with $40 available who was paid out $30 (sandbox transfer)."""
    user_id, headers = await freelancer(client)
    await sale(session, user_id, 5000)
    requested = await client.post("/api/v1/payouts", json={"amount": 3000}, headers=headers)
    assert requested.status_code == 201, requested.text
    assert await send_payout_now(sessionmaker, row_id("payout", requested.json()["id"])) == "paid"
    payout = await session.get(
        Payout, row_id("payout", requested.json()["id"]), populate_existing=True
    )
    assert payout is not None and payout.external_id is not None
    return payout, headers


def reversal(payout: Payout, amount_reversed: int | None = None) -> dict[str, Any]:
    return {
        "id": payout.external_id,
        "object": "transfer",
        "amount": payout.amount,
        "amount_reversed": payout.amount if amount_reversed is None else amount_reversed,
        "currency": "usd",
        "destination": "acct_1Test",
        "reversed": amount_reversed is None,
        "metadata": {"twinwork_key": payout.transfer_key},
    }


# ---- verification --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["wrong secret", "tampered body", "no header", "garbage header", "too old"],
)
async def test_a_badly_signed_event_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, session: AsyncSession, bad: str
) -> None:
    event_id = f"evt_bad_{uuid.uuid4().hex[:12]}"
    payload = stripe_event("customer.created", {"id": "cus_1"}, event_id)
    sig = {
        "wrong secret": signature(payload, "whsec_someone_else"),
        "tampered body": signature(payload.replace("cus_1", "cus_2")),
        "no header": "",
        "garbage header": "v1=abc",
        "too old": signature(payload, timestamp=int(time.time()) - 3600),
    }[bad]
    response = await deliver(client, payload, sig)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "nothing was stored" in response.json()["detail"]
    assert await inbox(session, event_id) == []


async def test_without_a_signing_secret_webhooks_are_refused_clearly(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "stripe_webhook_secret", None)
    event_id = f"evt_off_{uuid.uuid4().hex[:12]}"
    response = await deliver(client, stripe_event("customer.created", {"id": "c"}, event_id))
    assert response.status_code == 503
    assert "TWINWORK_STRIPE_WEBHOOK_SECRET" in response.json()["detail"]
    assert await inbox(session, event_id) == []


async def test_an_unknown_event_type_is_stored_as_ignored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    event_id = f"evt_unk_{uuid.uuid4().hex[:12]}"
    response = await deliver(client, stripe_event("customer.created", {"id": "cus_1"}, event_id))
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "duplicate": False, "status": "ignored"}
    [row] = await inbox(session, event_id)
    assert (row.source, row.type, row.status) == ("stripe", "customer.created", "ignored")
    assert json.loads(row.payload)["id"] == event_id and row.processed_at is not None


# ---- payouts: transfer.reversed --------------------------------------------------------------


async def test_a_reversed_transfer_returns_a_paid_payout_to_available_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    payout, headers = await paid_payout(client, session, sessionmaker)
    assert (await earnings(client, headers))["available_amount"] == 1000
    event_id = f"evt_rev_{uuid.uuid4().hex[:12]}"
    payload = stripe_event("transfer.reversed", reversal(payout), event_id)

    first = await deliver(client, payload)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": True, "duplicate": False, "status": "processed"}
    again = await deliver(client, payload)  # Stripe redelivers: same event id
    assert again.status_code == 200 and again.json()["duplicate"] is True

    assert len(await inbox(session, event_id)) == 1
    assert await transactions(session, "payout_reversed", str(payout.id)) == 1
    body = await earnings(client, headers)
    assert (body["available_amount"], body["in_transit_amount"]) == (4000, 0)
    [listed] = (await client.get("/api/v1/payouts", headers=headers)).json()
    assert listed["status"] == "reversed"
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0

    # Another event about the same reversal (a new event id) finds the payout reversed.
    other = await deliver(client, stripe_event("transfer.reversed", reversal(payout)))
    assert other.json()["status"] == "processed"
    assert await transactions(session, "payout_reversed", str(payout.id)) == 1


async def test_a_partial_reversal_moves_no_money_and_asks_an_operator(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    payout, headers = await paid_payout(client, session, sessionmaker)
    event_id = f"evt_part_{uuid.uuid4().hex[:12]}"
    response = await deliver(
        client, stripe_event("transfer.reversed", reversal(payout, 1000), event_id)
    )
    assert response.json()["status"] == "processed"
    [row] = await inbox(session, event_id)
    assert row.error is not None and "1000 of 3000" in row.error
    assert (await earnings(client, headers))["available_amount"] == 1000
    assert await transactions(session, "payout_reversed", str(payout.id)) == 0


async def test_a_reversal_before_the_payout_is_recorded_fails_then_the_job_applies_it(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user_id, headers = await freelancer(client)
    await sale(session, user_id, 5000)
    requested = (
        await client.post("/api/v1/payouts", json={"amount": 3000}, headers=headers)
    ).json()
    async with unit_of_work(sessionmaker) as uow:
        transfer = await earnings_service.start_transfer(uow, row_id("payout", requested["id"]))
    assert transfer is not None
    result = await earnings_service.transfer(transfer)
    # The transfer is made but not recorded yet when Stripe already reports its reversal.
    payout = await session.get(Payout, row_id("payout", requested["id"]), populate_existing=True)
    assert payout is not None
    obj = {**reversal(payout), "id": result.external_id}
    event_id = f"evt_early_{uuid.uuid4().hex[:12]}"
    response = await deliver(client, stripe_event("transfer.reversed", obj, event_id))
    assert response.status_code == 200 and response.json()["status"] == "failed"
    [row] = await inbox(session, event_id)
    assert row.status == "failed" and row.error is not None and "not recorded as paid" in row.error

    async with unit_of_work(sessionmaker) as uow:
        await earnings_service.record_transfer(uow, transfer, result)
    assert await retry_events(sessionmaker, utcnow()) == []  # not a minute old yet
    statuses = await retry_events(sessionmaker, utcnow() + timedelta(minutes=2))
    assert "processed" in statuses
    [row] = await inbox(session, event_id)
    assert row.status == "processed" and row.error is None and row.attempts == 2
    body = await earnings(client, headers)
    assert (body["available_amount"], body["in_transit_amount"]) == (4000, 0)
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0


async def test_a_failing_handler_leaves_nothing_half_done_and_is_retried_by_the_job(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payout, headers = await paid_payout(client, session, sessionmaker)
    [real] = webhooks.HANDLERS[("stripe", "transfer.reversed")]

    async def crashes_after_posting(session: AsyncSession, data: dict[str, Any]) -> Any:
        await real(session, data)  # the ledger transaction is written ...
        raise RuntimeError("the worker fell over")  # ... and rolled back with the rest

    monkeypatch.setitem(webhooks.HANDLERS, ("stripe", "transfer.reversed"), [crashes_after_posting])
    event_id = f"evt_crash_{uuid.uuid4().hex[:12]}"
    response = await deliver(client, stripe_event("transfer.reversed", reversal(payout), event_id))
    assert response.status_code == 200 and response.json()["status"] == "failed"
    [row] = await inbox(session, event_id)
    assert row.status == "failed" and row.error == "RuntimeError: the worker fell over"
    assert await transactions(session, "payout_reversed", str(payout.id)) == 0
    assert (await earnings(client, headers))["available_amount"] == 1000

    monkeypatch.setitem(webhooks.HANDLERS, ("stripe", "transfer.reversed"), [real])
    await retry_events(sessionmaker, utcnow() + timedelta(minutes=2))
    [row] = await inbox(session, event_id)
    assert row.status == "processed" and row.attempts == 2
    assert await transactions(session, "payout_reversed", str(payout.id)) == 1
    assert (await earnings(client, headers))["available_amount"] == 4000
    await retry_events(sessionmaker, utcnow() + timedelta(minutes=5))  # nothing left to do
    assert await transactions(session, "payout_reversed", str(payout.id)) == 1


# ---- charges: payment_intent.* and disputes ------------------------------------------------


async def pending_top_up(session: AsyncSession, amount: int = 1500) -> Payment:
    """A top-up written before its charge whose request never recorded the answer."""
    buyer = await create_user(session)
    payment = Payment(
        user_id=buyer.id,
        amount=amount,
        currency="USD",
        provider="stripe",
        card_last4="4242",
        charge_key=f"pay_{uuid.uuid4().hex}",
        status="pending",
    )
    session.add(payment)
    await session.flush()
    return payment


def intent(intent_id: str, key: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": 1500,
        "currency": "usd",
        "metadata": {} if key is None else {"twinwork_key": key},
        **extra,
    }


async def test_a_late_success_credits_a_pending_top_up_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    payment = await pending_top_up(session)
    pi = f"pi_{uuid.uuid4().hex[:16]}"
    for _ in range(2):  # the same news twice, as two events
        response = await deliver(
            client, stripe_event("payment_intent.succeeded", intent(pi, payment.charge_key))
        )
        assert response.json()["status"] == "processed", response.text
    await session.refresh(payment)
    assert (payment.status, payment.external_id) == ("succeeded", pi)
    assert await transactions(session, "top_up", str(payment.id)) == 1
    owner = await session.get(User, payment.user_id)
    wallet = await ledger_service.existing_account(session, "buyer_wallet", "USD", owner)
    assert wallet is not None and await ledger_service.balance(session, wallet) == 1500


async def test_a_failure_is_recorded_on_a_pending_top_up_and_moves_no_money(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    payment = await pending_top_up(session)
    pi = f"pi_{uuid.uuid4().hex[:16]}"
    declined = intent(
        pi,
        payment.charge_key,
        last_payment_error={"code": "card_declined", "message": "Your card was declined."},
    )
    response = await deliver(client, stripe_event("payment_intent.payment_failed", declined))
    assert response.json()["status"] == "processed"
    await session.refresh(payment)
    assert payment.status == "failed"
    assert await transactions(session, "top_up", str(payment.id)) == 0


async def test_a_success_for_a_recorded_top_up_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    payment = await pending_top_up(session)
    pi = f"pi_{uuid.uuid4().hex[:16]}"
    await deliver(client, stripe_event("payment_intent.succeeded", intent(pi, payment.charge_key)))
    before = await transactions(session, "top_up", str(payment.id))
    response = await deliver(client, stripe_event("payment_intent.succeeded", intent(pi, None)))
    assert response.json()["status"] == "processed"  # matched by the PaymentIntent id
    assert await transactions(session, "top_up", str(payment.id)) == before == 1


async def test_a_success_matching_nothing_of_ours_is_kept_failed_for_an_operator(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ours = f"evt_lost_{uuid.uuid4().hex[:12]}"
    response = await deliver(
        client,
        stripe_event("payment_intent.succeeded", intent("pi_lost", "pay_unknown_key"), ours),
    )
    assert response.json()["status"] == "failed"
    [row] = await inbox(session, ours)
    assert row.error is not None and "refund it in Stripe" in row.error
    foreign = f"evt_foreign_{uuid.uuid4().hex[:12]}"
    response = await deliver(
        client, stripe_event("payment_intent.succeeded", intent("pi_other", None), foreign)
    )
    assert response.json()["status"] == "ignored"  # not made by twinwork


async def test_a_late_success_pays_a_renewal_that_was_recorded_as_failed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from tests.program.test_subscription import DECLINED, join, subscription_of
    from twinwork.program.renewal import renew_due

    headers, _ = await join(client)
    subscription = await subscription_of(session, headers, client)
    await client.put(
        "/api/v1/subscriptions/current/card", json={"card_number": DECLINED}, headers=headers
    )
    await renew_due(sessionmaker, subscription.current_period_end + timedelta(minutes=1))
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "past_due"
    invoice = await session.get(
        Invoice, row_id("invoice", body["invoices"][0]["id"]), populate_existing=True
    )
    assert invoice is not None and invoice.status == "failed"

    # The card network approved attempt 1 after all (it was "processing" when we asked).
    pi = f"pi_{uuid.uuid4().hex[:16]}"
    payload = stripe_event("payment_intent.succeeded", intent(pi, f"{invoice.charge_key}-1"))
    assert (await deliver(client, payload)).json()["status"] == "processed"
    assert (await deliver(client, payload)).json()["duplicate"] is True
    body = (await client.get("/api/v1/subscriptions/current", headers=headers)).json()
    assert body["status"] == "active" and body["invoices"][0]["status"] == "paid"
    assert await transactions(session, "program_subscription", str(invoice.id)) == 1
    check = await ledger_service.check(session)
    assert check.balanced


async def test_a_dispute_is_stored_and_logged_for_an_operator(
    client: httpx.AsyncClient, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    event_id = f"evt_dp_{uuid.uuid4().hex[:12]}"
    dispute = {
        "id": "dp_1",
        "object": "dispute",
        "charge": "ch_1",
        "amount": 2500,
        "currency": "usd",
        "reason": "fraudulent",
    }
    with caplog.at_level(logging.WARNING, logger="twinwork.billing.webhook.stripe_events"):
        response = await deliver(client, stripe_event("charge.dispute.created", dispute, event_id))
    assert response.json()["status"] == "processed"
    assert any("dp_1" in r.getMessage() and "ch_1" in r.getMessage() for r in caplog.records)
    [row] = await inbox(session, event_id)
    assert row.status == "processed"


# ---- the operators' view -------------------------------------------------------------------


async def test_admins_list_the_inbox_by_status(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    event_id = f"evt_list_{uuid.uuid4().hex[:12]}"
    await deliver(client, stripe_event("customer.updated", {"id": "cus_1"}, event_id))
    _, buyer = await api_signup(client)
    assert (await client.get("/api/v1/admin/webhooks", headers=buyer)).status_code == 403
    admin = await create_user(session, roles=("admin",))
    token = await account_service.issue_api_token(session, admin)
    headers = {"Authorization": f"Bearer {token}"}
    response = await client.get("/api/v1/admin/webhooks?status=ignored", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["page"] == 1 and body["total"] >= 1
    assert all(item["status"] == "ignored" for item in body["items"])
    [mine] = [item for item in body["items"] if item["external_id"] == event_id]
    assert mine["type"] == "customer.updated" and mine["source"] == "stripe"
    assert re.fullmatch(PATTERN, mine["id"])  # a public id, not a counter
    assert (
        await client.get("/api/v1/admin/webhooks?status=bogus", headers=headers)
    ).status_code == 422
    assert (
        await client.get("/api/v1/admin/webhooks?page=9999", headers=headers)
    ).status_code == 404


def test_the_periodic_retry_job_runs_on_its_own_engine() -> None:
    # Synchronous, as huey calls it: its own event loop, engine and units of work.
    assert retry_webhook_events.call_local() >= 0
