from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup, create_user
from twinwork.account.service import account_service
from twinwork.billing.models import Payment
from twinwork.ledger.models import LedgerEntry

GOOD_CARD = "4242 4242 4242 4242"


async def ledger_rows(session: AsyncSession) -> tuple[int, int]:
    entries = await session.scalar(select(func.count()).select_from(LedgerEntry))
    payments = await session.scalar(select(func.count()).select_from(Payment))
    return int(entries or 0), int(payments or 0)


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
async def test_declined_cards_change_nothing(
    client: httpx.AsyncClient, session: AsyncSession, card: str, code: str
) -> None:
    _, headers = await api_signup(client)
    before = await ledger_rows(session)
    response = await top_up(client, headers, card=card)
    assert response.status_code == 402
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert await ledger_rows(session) == before


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


async def test_reading_a_wallet_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    from twinwork.ledger.models import LedgerAccount

    user, headers = await api_signup(client)
    assert (await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"] == 0
    accounts = await session.scalar(
        select(func.count()).where(LedgerAccount.owner_user_id == user["id"])
    )
    assert accounts == 0


async def test_only_dollar_wallets_for_now(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client)
    response = await top_up(client, headers, 1000, currency="EUR")
    assert response.status_code == 422


async def test_a_charge_lost_after_the_card_was_charged_is_not_charged_again(
    session: AsyncSession,
) -> None:
    """The transaction that recorded a charge rolls back (crash, failed commit); the retry
    with the same key gets the provider's first charge, not a second one."""
    from twinwork.billing.schemas import TopUpIn
    from twinwork.billing.service import wallet_service

    buyer = await create_user(session)
    body = TopUpIn(amount=1200, card_number="4242424242424242")
    lost = await session.begin_nested()
    first = await wallet_service.top_up(session, buyer, body, "crash-key")
    first_charge = first.external_id
    await lost.rollback()
    retried = await wallet_service.top_up(session, buyer, body, "crash-key")
    assert retried.external_id == first_charge
    assert await wallet_service.balance(session, buyer) == 1200
