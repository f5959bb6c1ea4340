"""Previews are rate-limited per buyer (``TWINWORK_GENERATION_RATE_LIMIT``) on the limiter that
sign-in uses (``kit.ratelimit``: in memory for one process, Redis when several serve): past
the limit a buyer gets a 429 that says why and when to come back, nothing runs, nothing is
recorded or charged, and other buyers are not slowed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.generation import tiles as tiles_module
from tests.generation.test_file_outputs import BRIEF, OPTIONS, tiles_model
from tests.generation.tiles import Tiles, registered
from tests.web.test_authorisation import public
from tests.web.test_pages import csrf_token, sign_in
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.generation.models import Generation
from twinwork.kit import ratelimit
from twinwork.kit.storage import ObjectStorage

LIMIT = 3


@pytest.fixture
def tiles() -> Iterator[Tiles]:
    with registered(tiles_module.OPTIONS_FIELD) as modality:
        yield modality


async def generations(session: AsyncSession) -> int:
    session.expire_all()
    return int(await session.scalar(select(func.count(Generation.id))) or 0)


async def balance(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"])


async def test_a_buyer_past_the_limit_gets_429_and_nothing_runs_or_is_charged(
    app: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    tiles: Tiles,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    storage: ObjectStorage = app.state.storage
    try:
        model = await tiles_model(client, sessionmaker, storage)
        model_id = public("model", model.model_id)
        monkeypatch.setattr(get_settings(), "generation_rate_limit", f"{LIMIT}/minute")
        ratelimit.reset_limits()
        user, buyer = await api_signup(client, display_name="Bea Buyer")
        assert (await top_up(client, buyer, 2000)).status_code == 201
        url = f"/api/v1/models/{model_id}/generations"
        body = {"brief": BRIEF, "tiles": OPTIONS}

        # A refused request (bad options) does not use up a turn.
        bad = await client.post(url, json={"brief": BRIEF, "tiles": {}}, headers=buyer)
        assert bad.status_code == 422, bad.text
        for _ in range(LIMIT):
            made = await client.post(url, json=body, headers=buyer)
            assert made.status_code == 201, made.text
        runs, wallet = len(tiles.requests), await balance(client, buyer)
        made_count = await generations(session)

        refused = await client.post(url, json=body, headers=buyer)
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        detail = refused.json()["detail"]
        assert f"{LIMIT} previews in the last minute" in detail and "nothing was charged" in detail
        assert 0 < int(refused.headers["retry-after"]) <= 60
        streamed = await client.post(f"{url}/stream", json=body, headers=buyer)
        assert streamed.status_code == 429, streamed.text  # refused before the stream starts
        await sign_in(client, str(user["email"]))
        page = await client.post(
            f"/models/{model_id}/generate",
            data={
                "csrf_token": await csrf_token(client),
                "brief": BRIEF,
                "options_field": "tiles",
                "opt.label": "Cafe",
                "opt.colours[]": "red",
            },
        )
        assert page.status_code == 429 and "previews in the last minute" in page.text

        assert len(tiles.requests) == runs  # the model never ran
        assert await generations(session) == made_count
        assert await balance(client, buyer) == wallet

        # Per buyer: someone else still gets theirs.
        _, other = await api_signup(client, display_name="Ola Other")
        assert (await client.post(url, json=body, headers=other)).status_code == 201

        # And the window moves on (here: the counters are reset, as a minute passing would).
        ratelimit.reset_limits()
        assert (await client.post(url, json=body, headers=buyer)).status_code == 201
    finally:
        await artifacts.delete_stored(storage, "models/")
        await artifacts.delete_stored(storage, "generations/")
        await artifacts.delete_stored(storage, "portfolio/")


def test_the_limiter_is_the_shared_one_when_scaled(backends: Any) -> None:
    """On the scale-out pass the counters live in Redis, shared by every web process."""
    storage = ratelimit._storage()
    expected = "redis" if backends.name == "scaleout" else "memory"
    assert type(storage).__name__.lower().startswith(expected), type(storage).__name__
