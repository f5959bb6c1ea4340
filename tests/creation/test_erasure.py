"""Erasure commits first and deletes afterwards: a commit that fails loses no file, and a
deletion cut short is finished by the periodic job, with the receipt signed at erasure."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from tests.account.factories import api_signup
from tests.creation.conftest import TrainedModel
from tests.creation.test_lifecycle import generate
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.creation.models import ErasureReceipt
from twinwork.creation.tasks import finish_erasures, finish_unfinished_erasures
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage


async def adapter_in_use(client: httpx.AsyncClient, model: TrainedModel) -> tuple[str, str]:
    """A buyer's preview has put the adapter in this server's cache; returns its storage
    prefix and its hash."""
    _, buyer = await api_signup(client)
    assert (await generate(client, model.id, buyer)).status_code == 201
    versions = await client.get(f"/api/v1/models/{model.id}/versions", headers=model.owner)
    [version] = versions.json()
    assert artifacts.adapter_cache_dir(get_settings(), version["artifact_hash"]).exists()
    # Storage keys keep the row ids.
    where = f"models/{row_id('model', model.id)}/runs/{row_id('run', version['run_id'])}"
    return f"{where}/adapter/", version["artifact_hash"]


async def test_an_erasure_whose_commit_fails_deletes_nothing(
    app: Any, client: httpx.AsyncClient, active: TrainedModel, storage: ObjectStorage
) -> None:
    prefix, artifact_hash = await adapter_in_use(client, active)
    stored = await storage.list(prefix)
    assert stored

    def note_erasure(session: Session, *_args: Any) -> None:
        if any(isinstance(obj, ErasureReceipt) for obj in session.new):
            session.info["erasing"] = True

    def commit_fails(session: Session) -> None:
        if session.info.pop("erasing", False):
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    event.listen(Session, "before_flush", note_erasure)
    event.listen(Session, "before_commit", commit_fails)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            failed = await other.delete(f"/api/v1/models/{active.id}", headers=active.owner)
    finally:
        event.remove(Session, "before_commit", commit_fails)
        event.remove(Session, "before_flush", note_erasure)

    # Not erased, so nothing of it may be gone: it still sells and generates.
    model = (await client.get(f"/api/v1/models/{active.id}", headers=active.owner)).json()
    assert model["status"] == "active"
    assert await storage.list(prefix) == stored
    assert artifacts.adapter_cache_dir(get_settings(), artifact_hash).exists()
    assert failed.status_code == 500  # and no receipt for an erasure that did not happen
    no_receipt = await client.get(
        f"/api/v1/models/{active.id}/erasure-receipt", headers=active.owner
    )
    assert no_receipt.status_code == 404
    _, buyer = await api_signup(client)
    assert (await generate(client, active.id, buyer)).status_code == 201

    erased = await client.delete(f"/api/v1/models/{active.id}", headers=active.owner)
    assert erased.status_code == 200, erased.text
    assert await storage.list(prefix) == []
    assert not artifacts.adapter_cache_dir(get_settings(), artifact_hash).exists()


async def test_a_deletion_cut_short_is_finished_by_the_periodic_job(
    client: httpx.AsyncClient,
    active: TrainedModel,
    storage: ObjectStorage,
    sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix, _ = await adapter_in_use(client, active)
    stored = await storage.list(prefix)

    async def storage_down(*_args: Any) -> int:
        raise OSError("storage did not answer")

    monkeypatch.setattr(artifacts, "delete_stored", storage_down)
    erased = await client.delete(f"/api/v1/models/{active.id}", headers=active.owner)
    # The erasure stands, with its receipt: it is committed, and the rest follows.
    assert erased.status_code == 200, erased.text
    receipt = erased.json()
    assert {a["key"] for a in receipt["payload"]["deleted"]["adapters"]} == set(stored)
    model = (await client.get(f"/api/v1/models/{active.id}", headers=active.owner)).json()
    assert model["status"] == "erased"
    assert await storage.list(prefix) == stored
    assert [v["erased"] for v in model["versions"]] == [False]
    monkeypatch.undo()

    assert await finish_unfinished_erasures(sessionmaker, storage) == [row_id("model", active.id)]
    assert await storage.list(prefix) == []
    model = (await client.get(f"/api/v1/models/{active.id}", headers=active.owner)).json()
    assert [v["erased"] for v in model["versions"]] == [True]
    again = await client.get(f"/api/v1/models/{active.id}/erasure-receipt", headers=active.owner)
    assert again.json() == receipt  # the receipt signed at erasure, every file on it
    assert await finish_unfinished_erasures(sessionmaker, storage) == []


def test_the_periodic_erasure_job_runs_on_its_own_engine() -> None:
    # Synchronous, as huey calls it: its own event loop, engine, storage and units of work.
    assert isinstance(finish_erasures.call_local(), list)


async def test_erasing_from_the_model_page_deletes_the_files_and_shows_the_receipt(
    client: httpx.AsyncClient, trained: TrainedModel, storage: ObjectStorage
) -> None:
    from tests.web.test_pages import sign_in
    from twinwork.kit.csrf import CSRF_COOKIE

    await sign_in(client, str(trained.owner_user["email"]))
    model_row, run_row = row_id("model", trained.id), row_id("run", trained.run["id"])
    prefix = f"models/{model_row}/runs/{run_row}/adapter/"
    assert await storage.list(prefix)
    erased = await client.post(
        f"/dashboard/models/{trained.id}/erase",
        data={"confirm": "Rae's lyrics", "csrf_token": client.cookies.get(CSRF_COOKIE)},
    )
    assert erased.status_code == 303, erased.text
    assert erased.headers["location"] == f"/dashboard/models/{trained.id}/receipt"
    assert await storage.list(prefix) == []
    receipt = await client.get(erased.headers["location"])
    assert "Erasure receipt" in receipt.text
