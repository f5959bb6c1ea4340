"""Generation and purchase on committed data, with real concurrent requests."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.billing.test_routes import top_up
from tests.creation.conftest import create_and_train, publish
from twinwork.kit.db import make_sessionmaker, unit_of_work
from twinwork.kit.storage import ObjectStorage
from twinwork.ledger.service import ledger_service


@pytest.fixture
def live_client(committed_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return committed_client


async def test_concurrent_purchases_of_one_generation_charge_once(
    live_client: httpx.AsyncClient, engine: AsyncEngine, storage: ObjectStorage
) -> None:
    trained = await create_and_train(live_client, make_sessionmaker(engine), storage)
    await publish(live_client, trained, price=400)
    signup = await live_client.post(
        "/api/v1/auth/signup",
        json={
            "email": f"{uuid.uuid4().hex[:10]}@example.test",
            "password": "correct horse battery",
            "display_name": "Racer",
            "roles": ["buyer"],
        },
    )
    buyer = {"Authorization": f"Bearer {signup.json()['token']}"}
    await top_up(live_client, buyer, 1000)
    # A fresh token's first use stamps it (a write): the generation must not hold that write
    # open while the model runs, or recording the generation would wait on its own request.
    token = await live_client.post(
        "/api/v1/auth/token",
        json={"email": signup.json()["user"]["email"], "password": "correct horse battery"},
    )
    fresh = {"Authorization": f"Bearer {token.json()['token']}"}
    generated = await live_client.post(
        f"/api/v1/models/{trained.id}/generations", json={"brief": "A jingle"}, headers=fresh
    )
    assert generated.status_code == 201, generated.text
    generation_id = generated.json()["id"]

    async def buy(key: str) -> int:
        response = await live_client.post(
            f"/api/v1/generations/{generation_id}/purchase",
            headers={**buyer, "Idempotency-Key": key},
        )
        return response.status_code

    same = [buy("same-key") for _ in range(10)]
    other = [buy(f"other-{i}") for i in range(5)]
    statuses = await asyncio.gather(*same, *other)
    assert statuses.count(200) >= 1
    assert set(statuses) <= {200, 409}
    wallet = (await live_client.get("/api/v1/wallet", headers=buyer)).json()
    assert wallet["balance_amount"] == 600  # charged exactly once
    async with unit_of_work(make_sessionmaker(engine), writes=False) as session:
        check = await ledger_service.check(session)
    assert check.balanced and check.total == 0


async def test_two_erasures_at_once_give_one_receipt(
    live_client: httpx.AsyncClient, engine: AsyncEngine, storage: ObjectStorage
) -> None:
    trained = await create_and_train(live_client, make_sessionmaker(engine), storage)
    url = f"/api/v1/models/{trained.id}"
    first, second = await asyncio.gather(
        live_client.delete(url, headers=trained.owner),
        live_client.delete(url, headers=trained.owner),
    )
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["payload"]["deleted"]["adapter_files"] >= 1
