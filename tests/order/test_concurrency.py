"""Orders placed at once on committed data: PostgreSQL row locks, SQLite's write lock."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.billing.test_routes import top_up
from tests.catalog.factories import gig_payload
from twinwork.kit.db import make_sessionmaker, unit_of_work
from twinwork.ledger.service import ledger_service

PRICE = 4500  # gig_payload's basic package


async def fresh_account(client: httpx.AsyncClient, role: str) -> dict[str, str]:
    signup = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": f"{uuid.uuid4().hex[:12]}@example.test",
            "password": "correct horse battery",
            "display_name": f"Racing {role}",
            "roles": [role],
        },
    )
    assert signup.status_code == 201, signup.text
    return {"Authorization": f"Bearer {signup.json()['token']}"}


async def test_fifty_concurrent_orders_against_money_for_thirty(
    committed_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    client = committed_client
    seller = await fresh_account(client, "freelancer")
    gig = await client.post("/api/v1/gigs", json=gig_payload(), headers=seller)
    assert gig.status_code == 201, gig.text
    buyer = await fresh_account(client, "buyer")
    await top_up(client, buyer, 30 * PRICE)

    async def place(i: int) -> int:
        response = await client.post(
            "/api/v1/orders",
            json={"gig_id": gig.json()["id"], "package": "basic", "kind": "human"},
            headers={**buyer, "Idempotency-Key": f"order-{i}"},
        )
        return response.status_code

    statuses = await asyncio.gather(*(place(i) for i in range(50)))
    assert statuses.count(201) == 30, statuses
    assert statuses.count(402) == 20, statuses
    wallet = (await client.get("/api/v1/wallet", headers=buyer)).json()
    assert wallet["balance_amount"] == 0
    orders = (await client.get("/api/v1/orders", headers=buyer)).json()
    assert orders["total"] == 30

    # Twenty retries of one more order's key, with money for it: one order, one charge.
    await top_up(client, buyer, PRICE)

    async def retry() -> httpx.Response:
        return await client.post(
            "/api/v1/orders",
            json={"gig_id": gig.json()["id"], "package": "basic", "kind": "human"},
            headers={**buyer, "Idempotency-Key": "one-more"},
        )

    retries = await asyncio.gather(*(retry() for _ in range(20)))
    assert {r.status_code for r in retries} <= {201, 409}, [r.text for r in retries]
    assert len({r.json()["id"] for r in retries if r.status_code == 201}) == 1
    assert (await client.get("/api/v1/wallet", headers=buyer)).json()["balance_amount"] == 0
    assert (await client.get("/api/v1/orders", headers=buyer)).json()["total"] == 31
    async with unit_of_work(make_sessionmaker(engine), writes=False) as session:
        check = await ledger_service.check(session)
    assert check.balanced and check.total == 0
