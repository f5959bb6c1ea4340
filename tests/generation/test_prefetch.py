"""Opening a model's page loads its adapter into the serving engine in the background:
bounded, never blocking the page, and never loading a base model that is not loaded yet."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.creation.conftest import create_and_train, publish
from twinwork.config import get_settings
from twinwork.creation import runtime
from twinwork.creation.service import creation_service
from twinwork.generation import prefetch
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.ml import ModelEnvironment
from twinwork.ml.text import entry


@pytest.fixture(autouse=True)
def _fresh_prefetches() -> Iterator[None]:
    prefetch.forget()
    yield
    prefetch.forget()


@pytest.mark.slow
async def test_after_a_page_view_the_models_adapter_is_resident(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    from twinwork.ml.text import ensure_base_model  # noqa: PLC0415
    from twinwork.ml.text.engine import get_engine  # noqa: PLC0415

    settings = get_settings()
    engine = get_engine(
        ensure_base_model(settings.resolved_model_cache_dir, settings.text_base_model)
    )
    trained = await create_and_train(client, sessionmaker, storage)
    await publish(client, trained)
    async with sessionmaker() as session:
        version = await creation_service.version(
            session, row_id("version", trained.run["version_id"])
        )
        assert version is not None
        artifact_hash = version.artifact_hash
    engine.evict(artifact_hash)  # a fresh start: not resident, as after a restart
    engine.engine.scheduler.forget_erasure(artifact_hash)
    assert artifact_hash not in engine.adapter_keys

    page = await client.get(f"/models/{trained.id}")
    assert page.status_code == 200
    deadline = time.monotonic() + 30
    while artifact_hash not in engine.adapter_keys and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert artifact_hash in engine.adapter_keys, "the page view did not load the adapter"
    loads = engine.engine.stats().loads

    # The buyer's preview then finds it in its slot: nothing is loaded again.
    buyer = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "prefetch-buyer@example.test",
            "password": "correct horse battery",
            "display_name": "Pre Fetch",
            "roles": ["buyer"],
        },
    )
    headers = {"Authorization": f"Bearer {buyer.json()['token']}"}
    preview = await client.post(
        f"/api/v1/models/{trained.id}/generations", json={"brief": "Tea"}, headers=headers
    )
    assert preview.status_code == 201, preview.text
    assert engine.engine.stats().loads == loads


def test_a_cold_engine_ignores_the_prefetch_and_fetches_nothing(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    fetched: list[str] = []

    def fetch() -> Path:
        fetched.append("fetched")
        return tmp_path

    environment = ModelEnvironment(cache_dir=tmp_path, base_model=str(tmp_path))
    assert entry.prefetch(environment, fetch, "some-adapter") is False
    assert fetched == []


async def test_prefetches_are_bounded_and_one_per_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    release = asyncio.Event()
    started: list[str] = []

    async def slow_prefetch(*_: object, artifact_hash: str, **__: object) -> bool:
        started.append(artifact_hash)
        await release.wait()
        return True

    monkeypatch.setattr(runtime, "prefetch", slow_prefetch)
    store = make_storage(get_settings())
    tasks = [prefetch.start(store, "text", f"models/{i}/", f"hash-{i}") for i in range(6)]
    assert sum(task is not None for task in tasks) == prefetch.MAX_IN_FLIGHT
    assert prefetch.start(store, "text", "models/0/", "hash-0") is None  # already loading
    release.set()
    await asyncio.gather(*(task for task in tasks if task is not None))
    # Loaded moments ago: another page view starts nothing.
    assert prefetch.start(store, "text", "models/0/", "hash-0") is None
    assert sorted(started) == [f"hash-{i}" for i in range(prefetch.MAX_IN_FLIGHT)]


async def test_the_model_page_and_a_gig_page_with_an_ai_offer_start_a_prefetch(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.catalog.factories import create_gig  # noqa: PLC0415
    from tests.creation.echo import registered  # noqa: PLC0415
    from tests.creation.test_fake_modality import train_echo_model  # noqa: PLC0415

    started: list[tuple[str, str]] = []
    monkeypatch.setattr(
        prefetch, "start", lambda _storage, modality, _key, hash_: started.append((modality, hash_))
    )
    with registered():
        model = await train_echo_model(client, sessionmaker, storage)
        async with sessionmaker() as session:
            gig = await create_gig(session, model.owner, title="Harbour lyrics by hand or by AI")
            await session.commit()
        assert (await client.get(f"/models/{model.public_id}")).status_code == 200
        assert started == [("echo", model.artifact_hash)]
        assert (await client.get(f"/gigs/{gig.public_id}")).status_code == 200
        assert started == [("echo", model.artifact_hash)] * 2
        # A model switched off loads nothing.
        off = await client.post(
            f"/api/v1/models/{model.public_id}/deactivate",
            headers=await owner_headers(client, model.owner.email),
        )
        assert off.status_code == 200, off.text
        assert (await client.get(f"/models/{model.public_id}")).status_code == 200
        assert len(started) == 2


async def owner_headers(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    from tests.account.factories import PASSWORD  # noqa: PLC0415

    token = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert token.status_code in (200, 201), token.text
    return {"Authorization": f"Bearer {token.json()['token']}"}
