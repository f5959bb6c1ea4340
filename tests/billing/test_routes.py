from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup, create_user
from tests.billing.factories import DyingProvider, patch_provider
from twinwork.account.service import account_service
from twinwork.billing.models import Payment
from twinwork.billing.provider import ChargeResult
from twinwork.billing.wallet.top_up import finish_unrecorded_top_ups
from twinwork.kit.db import unit_of_work, utcnow
from twinwork.kit.public_ids import row_id
from twinwork.ledger.models import LedgerEntry, LedgerTransaction

GOOD_CARD = "4242 4242 4242 4242"


async def ledger_rows(session: AsyncSession) -> tuple[int, int]:
    entries = await session.scalar(select(func.count()).select_from(LedgerEntry))
    payments = await session.scalar(select(func.count()).select_from(Payment))
    return int(entries or 0), int(payments or 0)


@asynccontextmanager
async def dying_client(
    app: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """A client that gets the 500 of a request whose process "died", instead of the error."""
    app.state.sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def payment_transactions(session: AsyncSession, payment_id: str) -> int:
    """Transactions of the payment an answer names by its public id."""
    return int(
        await session.scalar(
            select(func.count()).where(
                LedgerTransaction.reference_type == "payment",
                LedgerTransaction.reference_id == str(row_id("payment", payment_id)),
            )
        )
        or 0
    )


async def top_up(
    client: httpx.AsyncClient, headers: dict[str, str], amount: int = 2500, **extra: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/wallet/top-ups",
        json={"amount": amount, "card_number": extra.pop("card", GOOD_CARD), **extra},
        headers=headers,
    )


async def test_top_up_credits_the_wallet_and_gives_a_receipt(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client)
    assert (await client.get("/api/v1/wallet", headers=headers)).json() == {
        "balance_amount": 0,
        "currency": "USD",
    }
    response = await top_up(client, headers, 2500)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["payment"]["status"] == "succeeded"
    assert body["payment"]["card_last4"] == "4242"
    assert body["payment"]["external_id"].startswith("sbx_ch_")
    assert body["wallet"]["balance_amount"] == 2500
    wallet = (await client.get("/api/v1/wallet", headers=headers)).json()
    assert wallet["balance_amount"] == 2500

    history = (await client.get("/api/v1/ledger/transactions", headers=headers)).json()
    assert history["total"] == 1
    assert history["items"][0]["reason"] == "top_up"
    # Only the buyer's own side of the transaction is shown, not the platform's clearing leg.
    assert history["items"][0]["entries"] == [
        {"account_kind": "buyer_wallet", "amount": 2500, "currency": "USD"}
    ]


@pytest.mark.parametrize(
    ("card", "code"),
    [("4000000000000002", "card_declined"), ("4000000000009995", "insufficient_funds")],
)
async def test_a_declined_card_moves_no_money_and_is_kept_as_a_failed_payment(
    client: httpx.AsyncClient, session: AsyncSession, card: str, code: str
) -> None:
    _, headers = await api_signup(client)
    entries, payments = await ledger_rows(session)
    response = await top_up(client, headers, card=card)
    assert response.status_code == 402
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert await ledger_rows(session) == (entries, payments + 1)
    [failed] = (await client.get("/api/v1/wallet/top-ups", headers=headers)).json()
    assert failed["status"] == "failed" and failed["failure_code"] == code
    assert failed["failure_message"] == response.json()["detail"]
    assert (await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"] == 0


async def test_a_retried_decline_answers_the_same_without_charging_again(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = DyingProvider()
    provider.dying = False
    patch_provider(monkeypatch, provider)
    _, headers = await api_signup(client)
    keyed = {**headers, "Idempotency-Key": "declined-once"}
    first = await top_up(client, keyed, card="4000000000000002")
    again = await top_up(client, keyed, card="4000000000000002")
    assert first.status_code == again.status_code == 402
    assert again.json()["detail"] == first.json()["detail"]
    assert len(provider.charge_keys) == 1  # the retry was answered from the failed row
    good = await top_up(client, {**headers, "Idempotency-Key": "another-card"}, 1000)
    assert good.status_code == 201
    statuses = [
        p["status"] for p in (await client.get("/api/v1/wallet/top-ups", headers=headers)).json()
    ]
    assert statuses == ["succeeded", "failed"]


@pytest.mark.parametrize(
    "payload",
    [
        {"amount": 0, "card_number": GOOD_CARD},
        {"amount": -500, "card_number": GOOD_CARD},
        {"amount": 10**9, "card_number": GOOD_CARD},
        {"amount": 12.5, "card_number": GOOD_CARD},
        {"amount": 500, "card_number": GOOD_CARD, "currency": "XYZ"},
        {"amount": 500, "card_number": "not a card"},
    ],
)
async def test_bad_top_ups_are_refused_and_change_nothing(
    client: httpx.AsyncClient, session: AsyncSession, payload: dict[str, Any]
) -> None:
    _, headers = await api_signup(client)
    before = await ledger_rows(session)
    response = await client.post("/api/v1/wallet/top-ups", json=payload, headers=headers)
    assert response.status_code == 422, response.text
    assert await ledger_rows(session) == before


async def test_retry_with_same_idempotency_key_charges_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, headers = await api_signup(client)
    first = await top_up(client, {**headers, "Idempotency-Key": "abc"}, 1000)
    again = await top_up(client, {**headers, "Idempotency-Key": "abc"}, 1000)
    other = await top_up(client, {**headers, "Idempotency-Key": "def"}, 1000)
    assert first.json()["payment"]["id"] == again.json()["payment"]["id"]
    assert other.json()["payment"]["id"] != first.json()["payment"]["id"]
    wallet = (await client.get("/api/v1/wallet", headers=headers)).json()
    assert wallet["balance_amount"] == 2000


async def test_idempotency_keys_are_per_buyer(client: httpx.AsyncClient) -> None:
    _, alice = await api_signup(client)
    _, bob = await api_signup(client)
    a = await top_up(client, {**alice, "Idempotency-Key": "same"}, 1000)
    b = await top_up(client, {**bob, "Idempotency-Key": "same"}, 1000)
    assert a.json()["payment"]["id"] != b.json()["payment"]["id"]
    assert (await client.get("/api/v1/wallet", headers=bob)).json()["balance_amount"] == 1000


async def test_a_buyer_sees_only_their_own_transactions(client: httpx.AsyncClient) -> None:
    _, alice = await api_signup(client)
    _, bob = await api_signup(client)
    await top_up(client, alice, 1000)
    history = (await client.get("/api/v1/ledger/transactions", headers=bob)).json()
    assert history["total"] == 0 and history["items"] == []


async def test_ledger_check_is_for_admins_and_balanced(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, buyer = await api_signup(client)
    await top_up(client, buyer, 4200)
    assert (await client.get("/api/v1/admin/ledger/check", headers=buyer)).status_code == 403
    admin_user = await create_user(session, roles=("admin",))
    await session.commit()
    token = await account_service.issue_api_token(session, admin_user)
    await session.commit()
    check = await client.get(
        "/api/v1/admin/ledger/check", headers={"Authorization": f"Bearer {token}"}
    )
    assert check.json() == {
        "balanced": True,
        "total": 0,
        "unbalanced_transaction_ids": [],
        "negative_account_ids": [],
    }


async def test_wallet_page_tops_up_once_per_form_and_shows_history(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    from tests.web.test_pages import signed_in_user
    from twinwork.kit.csrf import CSRF_COOKIE

    await signed_in_user(client, session, roles=("buyer",))
    page = await client.get("/dashboard/wallet")
    assert page.status_code == 200 and "$0" in page.text and "No payments yet" in page.text
    form = {
        "csrf_token": client.cookies.get(CSRF_COOKIE),
        "idempotency_key": "form-key-1",
        "amount": "25.50",
        "card_number": GOOD_CARD,
    }
    assert (await client.post("/dashboard/wallet/top-up", data=form)).status_code == 303
    assert (await client.post("/dashboard/wallet/top-up", data=form)).status_code == 303
    page = await client.get("/dashboard/wallet")
    assert "$25.50" in page.text and "Card ending 4242" in page.text

    declined = await client.post(
        "/dashboard/wallet/top-up",
        data={**form, "idempotency_key": "form-key-2", "card_number": "4000000000000002"},
    )
    assert declined.status_code == 402 and "declined" in declined.text
    assert "4000000000000002" not in declined.text
    bad_amount = await client.post(
        "/dashboard/wallet/top-up", data={**form, "idempotency_key": "k3", "amount": "-3"}
    )
    assert bad_amount.status_code == 422
    assert "$25.50" in (await client.get("/dashboard/buyer")).text
    payments = (await client.get("/dashboard/wallet")).text
    assert "Recent card payments" in payments and "Declined" in payments
    assert "Paid · receipt" in payments


async def test_reading_a_wallet_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    from twinwork.ledger.models import LedgerAccount

    user, headers = await api_signup(client)
    assert (await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"] == 0
    accounts = await session.scalar(
        select(func.count()).where(LedgerAccount.owner_user_id == row_id("user", user["id"]))
    )
    assert accounts == 0


async def test_only_dollar_wallets_for_now(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client)
    response = await top_up(client, headers, 1000, currency="EUR")
    assert response.status_code == 422


async def test_a_top_up_killed_after_the_charge_is_credited_by_the_job(
    app: Any,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The card is charged, then the request dies before recording it. The pending payment
    was committed before the charge, so the job finds it, asks the provider what it did under
    the payment's key, and credits that one charge, once; no retry from the buyer needed."""
    provider = DyingProvider()
    patch_provider(monkeypatch, provider)
    async with dying_client(app, sessionmaker) as client:
        user, headers = await api_signup(client)
        died = await top_up(client, headers, 1800)
        assert died.status_code == 500
        [pending] = (await client.get("/api/v1/wallet/top-ups", headers=headers)).json()
        assert pending["status"] == "pending" and pending["external_id"] is None
        assert (await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"] == 0

        await finish_unrecorded_top_ups(sessionmaker, utcnow() + timedelta(minutes=1))
        assert (await client.get("/api/v1/wallet/top-ups", headers=headers)).json()[0][
            "status"
        ] == "pending"  # too early: the request might still be under way

        later = utcnow() + timedelta(minutes=6)
        assert await finish_unrecorded_top_ups(sessionmaker, later) == ["succeeded"]
        assert await finish_unrecorded_top_ups(sessionmaker, later) == []
        [paid] = (await client.get("/api/v1/wallet/top-ups", headers=headers)).json()
        charged = await provider.lookup(str(provider.charge_keys[0]))
        assert charged is not None and paid["external_id"] == charged.external_id
        assert (await client.get("/api/v1/wallet", headers=headers)).json()[
            "balance_amount"
        ] == 1800
    assert len(provider.charge_keys) == 1
    assert await payment_transactions(session, paid["id"]) == 1


async def test_a_top_up_killed_after_the_charge_is_recorded_once_on_retry(
    app: Any,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The buyer's retry with the same Idempotency-Key repeats the charge under the payment's
    own key: the provider answers with the first charge, which is recorded once."""
    provider = DyingProvider()
    patch_provider(monkeypatch, provider)
    async with dying_client(app, sessionmaker) as client:
        _, headers = await api_signup(client)
        keyed = {**headers, "Idempotency-Key": "retry-after-crash"}
        assert (await top_up(client, keyed, 1200)).status_code == 500
        retried = await top_up(client, keyed, 1200)
        assert retried.status_code == 201, retried.text
        again = await top_up(client, keyed, 1200)
        assert again.json()["payment"] == retried.json()["payment"]
        assert retried.json()["wallet"]["balance_amount"] == 1200
    assert len(set(provider.charge_keys)) == 1  # one provider key: one charge at most
    first = await provider.lookup(str(provider.charge_keys[0]))
    assert first is not None and retried.json()["payment"]["external_id"] == first.external_id
    assert await payment_transactions(session, retried.json()["payment"]["id"]) == 1


async def test_a_top_up_killed_before_the_charge_fails_as_not_charged(
    app: Any,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No card number is kept, so the job never charges: a pending payment the provider has
    no charge for is given up as "not charged" once no request can still be making it; a
    charge that lands after that is still credited, the money having been taken."""
    from twinwork.billing.wallet.service import wallet_service

    provider = DyingProvider(before=True)
    patch_provider(monkeypatch, provider)
    async with dying_client(app, sessionmaker) as client:
        _, headers = await api_signup(client)
        assert (await top_up(client, headers, 900)).status_code == 500
        assert await finish_unrecorded_top_ups(sessionmaker, utcnow() + timedelta(minutes=6)) == [
            "pending"
        ]
        assert await finish_unrecorded_top_ups(sessionmaker, utcnow() + timedelta(minutes=16)) == [
            "failed"
        ]
        [failed] = (await client.get("/api/v1/wallet/top-ups", headers=headers)).json()
        assert failed["status"] == "failed" and failed["failure_code"] == "not_charged"
        assert provider.charge_keys == []  # the job never charged
        assert (await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"] == 0

        late = ChargeResult(True, "sbx_ch_late")
        async with unit_of_work(sessionmaker) as uow:
            await wallet_service.record_top_up(uow, row_id("payment", failed["id"]), late, utcnow())
        assert (await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"] == 900
    assert await payment_transactions(session, failed["id"]) == 1
