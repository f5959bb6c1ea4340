"""An Idempotency-Key names one request: a retry with another body is refused (400), as
Stripe does, and charges nothing; the same body gets the first answer."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.billing.test_payouts import freelancer, sale
from tests.billing.test_routes import GOOD_CARD, ledger_rows, top_up
from tests.program.factories import admit_api_user
from twinwork.billing.models import Payment, Payout
from twinwork.program.models import ProgramSubscription

PROBLEM = "application/problem+json"
OTHER_CARD = "5555 5555 5555 4444"


def assert_key_reused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"].endswith("/idempotency-key-reused")
    assert "new key" in body["detail"]


async def balance(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"])


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_top_up_retry_with_same_key_and_body_returns_the_first_payment(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, headers = await api_signup(client)
    keyed = {**headers, "Idempotency-Key": "top-up-1"}
    first = await top_up(client, keyed, 2500)
    again = await top_up(client, keyed, 2500)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["payment"]["id"] == first.json()["payment"]["id"]
    assert await balance(client, headers) == 2500


@pytest.mark.parametrize("change", [{"amount": 9900}, {"card": OTHER_CARD}])
async def test_top_up_retry_with_same_key_and_another_body_is_refused_and_charges_nothing(
    client: httpx.AsyncClient, session: AsyncSession, change: dict[str, object]
) -> None:
    _, headers = await api_signup(client)
    keyed = {**headers, "Idempotency-Key": "top-up-2"}
    assert (await top_up(client, keyed, 2500)).status_code == 201
    before = await ledger_rows(session)
    amount = int(str(change.pop("amount", 2500)))
    assert_key_reused(await top_up(client, keyed, amount, **change))
    assert await ledger_rows(session) == before
    assert await balance(client, headers) == 2500


async def test_top_up_rows_without_a_fingerprint_accept_any_retry(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, headers = await api_signup(client)
    keyed = {**headers, "Idempotency-Key": "from-before"}
    first = await top_up(client, keyed, 2500)
    await session.execute(update(Payment).values(request_fingerprint=None))
    await session.commit()
    again = await top_up(client, keyed, 9900)
    assert (
        again.status_code == 201 and again.json()["payment"]["id"] == first.json()["payment"]["id"]
    )
    assert await balance(client, headers) == 2500


async def test_payout_retry_with_another_amount_is_refused_and_moves_nothing(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    from twinwork.config import get_settings

    monkeypatch.setattr(get_settings(), "earnings_clearing_days", 0)
    user_id, headers = await freelancer(client)
    await sale(session, user_id, 5000)
    keyed = {**headers, "Idempotency-Key": "payout-1"}
    first = await client.post("/api/v1/payouts", json={"amount": 3000}, headers=keyed)
    assert first.status_code == 201, first.text
    same = await client.post("/api/v1/payouts", json={"amount": 3000}, headers=keyed)
    assert same.json()["id"] == first.json()["id"]
    before = await ledger_rows(session)
    assert_key_reused(await client.post("/api/v1/payouts", json={"amount": 1000}, headers=keyed))
    assert await ledger_rows(session) == before
    assert await count(session, Payout) == 1


async def test_program_sign_up_retry_with_another_card_is_refused_and_charges_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user, headers = await api_signup(client, roles=("freelancer",))
    await admit_api_user(client, user)
    keyed = {**headers, "Idempotency-Key": "join-1"}
    first = await client.post(
        "/api/v1/subscriptions", json={"card_number": GOOD_CARD}, headers=keyed
    )
    assert first.status_code == 201, first.text
    same = await client.post(
        "/api/v1/subscriptions", json={"card_number": GOOD_CARD}, headers=keyed
    )
    assert same.status_code == 201 and same.json()["id"] == first.json()["id"]
    before = await ledger_rows(session)
    other = await client.post(
        "/api/v1/subscriptions", json={"card_number": OTHER_CARD}, headers=keyed
    )
    assert_key_reused(other)
    assert await ledger_rows(session) == before
    assert await count(session, ProgramSubscription) == 1
