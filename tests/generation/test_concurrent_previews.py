"""Buyers previewing at once, through the real app on committed data: none may get a 5xx.

The fake "echo" modality stands in for the model, so the requests overlap in the database
rather than in the model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.account.factories import PASSWORD, api_signup
from tests.creation.echo import registered
from tests.creation.test_fake_modality import train_echo_model
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.kit.db import make_sessionmaker
from twinwork.kit.storage import ObjectStorage, make_storage

BUYERS = 8


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    store = make_storage(get_settings())
    # Ids of committed rows may repeat those of rolled-back tests whose adapters stayed in
    # storage: start from none.
    await artifacts.delete_stored(store, "models/")
    with registered():
        yield store
    await artifacts.delete_stored(store, "models/")


async def fresh_token(client: httpx.AsyncClient) -> dict[str, str]:
    """A buyer's newly issued API token: its first use stamps it, a write in a request that
    otherwise only reads until the model has answered."""
    user, _ = await api_signup(client, display_name="Pia Previewer")
    token = await client.post(
        "/api/v1/auth/token", json={"email": user["email"], "password": PASSWORD}
    )
    assert token.status_code in (200, 201), token.text
    return {"Authorization": f"Bearer {token.json()['token']}"}


async def test_eight_buyers_previewing_at_once_get_no_server_error(
    committed_client: httpx.AsyncClient, engine: AsyncEngine, storage: ObjectStorage
) -> None:
    sessionmaker = make_sessionmaker(engine)
    models = [await train_echo_model(committed_client, sessionmaker, storage) for _ in range(2)]
    buyers = [await fresh_token(committed_client) for _ in range(BUYERS)]

    async def preview(index: int) -> httpx.Response:
        model = models[index % len(models)]
        return await committed_client.post(
            f"/api/v1/models/{model.public_id}/generations",
            json={"brief": f"Lines for stall number {index} at the harbour market"},
            headers=buyers[index],
        )

    responses = await asyncio.gather(*(preview(i) for i in range(BUYERS)))
    assert [r.status_code for r in responses] == [201] * BUYERS, [r.text for r in responses]
