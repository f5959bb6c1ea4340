"""Concurrent money movements on committed data: PostgreSQL row locks, SQLite write locks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.account.factories import create_user
from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.billing.models import Payment
from twinwork.kit.db import make_sessionmaker, unit_of_work
from twinwork.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from twinwork.ledger.service import InsufficientFunds, Leg, ledger_service


@pytest.fixture
async def committed_buyer(engine: AsyncEngine) -> AsyncIterator[User]:
    sessionmaker = make_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        buyer = await create_user(session)
    yield buyer
    # Leave the shared database as it was: these rows were really committed.
    async with unit_of_work(sessionmaker) as session:
        ids = (
            select(LedgerEntry.transaction_id)
            .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
            .where(LedgerAccount.owner_user_id == buyer.id)
        )
        transaction_ids = list(await session.scalars(ids))
        await session.execute(delete(Payment).where(Payment.user_id == buyer.id))
        await session.execute(
            delete(LedgerEntry).where(LedgerEntry.transaction_id.in_(transaction_ids))
        )
        await session.execute(
            delete(LedgerTransaction).where(LedgerTransaction.id.in_(transaction_ids))
        )
        await session.execute(delete(LedgerAccount).where(LedgerAccount.owner_user_id == buyer.id))
        await session.execute(delete(User).where(User.id == buyer.id))


async def test_fifty_concurrent_charges_against_money_for_thirty(
    engine: AsyncEngine, committed_buyer: User
) -> None:
    sessionmaker = make_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        wallet = await ledger_service.account(session, "buyer_wallet", "USD", committed_buyer)
        clearing = await ledger_service.account(session, "payment_clearing", "USD")
        revenue = await ledger_service.account(session, "platform_revenue", "USD")
        await ledger_service.post(
            session,
            reason="top_up",
            reference_type="test",
            reference_id="fund",
            legs=[Leg(clearing, -3000), Leg(wallet, 3000)],
        )

    async def charge(i: int) -> bool:
        try:
            async with unit_of_work(sessionmaker) as session:
                await ledger_service.post(
                    session,
                    reason="charge",
                    reference_type="test",
                    reference_id=str(i),
                    legs=[Leg(wallet, -100), Leg(revenue, 100)],
                )
        except InsufficientFunds:
            return False
        return True

    results = await asyncio.gather(*(charge(i) for i in range(50)))
    assert results.count(True) == 30
    async with sessionmaker() as session:
        assert await ledger_service.balance(session, wallet) == 0
        check = await ledger_service.check(session)
        assert check.balanced


async def test_twenty_concurrent_retries_of_one_key_charge_once(
    app: Any, engine: AsyncEngine, committed_buyer: User
) -> None:
    sessionmaker = make_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        token = await account_service.issue_api_token(session, committed_buyer)
    app.state.sessionmaker = sessionmaker
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "retry-storm"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/wallet/top-ups",
                    json={"amount": 1500, "card_number": "4242424242424242"},
                    headers=headers,
                )
                for _ in range(20)
            )
        )
        statuses = [r.status_code for r in responses]
        # Every retry answers with the first payment, or asks to retry while it is in flight.
        assert set(statuses) <= {201, 409}, [r.text for r in responses if r.status_code >= 400]
        ids = {r.json()["payment"]["id"] for r in responses if r.status_code == 201}
        assert len(ids) == 1
        wallet = await client.get("/api/v1/wallet", headers=headers)
        assert wallet.json()["balance_amount"] == 1500
    async with sessionmaker() as session:
        payments = await session.scalar(
            select(func.count()).where(Payment.user_id == committed_buyer.id)
        )
    assert payments == 1
