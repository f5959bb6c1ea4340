"""Training runs: provenance enforced inside the job, cancellation, dead workers, one at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.creation.conftest import join_program
from tests.portfolio.factories import add_samples
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.creation.models import TrainingRun
from twinwork.creation.training import execute_run, reap_stale_runs
from twinwork.kit.db import utcnow
from twinwork.kit.storage import ObjectStorage
from twinwork.portfolio.models import DataUseRecord
from twinwork.portfolio.service import ProvenanceViolation


async def queued_run(
    client: httpx.AsyncClient, samples: int = 4
) -> tuple[dict[str, object], dict[str, str]]:
    _, owner = await api_signup(client, roles=("freelancer",))
    await join_program(client, owner)
    await add_samples(client, owner, samples)
    model = (await client.post("/api/v1/models", json={"name": "M"}, headers=owner)).json()
    run = await client.post(f"/api/v1/models/{model['id']}/training-runs", headers=owner)
    assert run.status_code == 202, run.text
    return run.json(), owner


async def test_a_run_handed_another_freelancers_sample_fails_and_reads_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    run, owner = await queued_run(client)
    _, stranger = await api_signup(client, roles=("freelancer",))
    [theirs] = await add_samples(client, stranger, 1)
    # Whatever path put it there, a foreign sample id in the run must stop the run.
    await session.execute(
        update(TrainingRun)
        .where(TrainingRun.id == run["id"])
        .values(
            sample_ids=[*run_sample_ids(await session.get(TrainingRun, run["id"])), theirs["id"]]
        )
    )
    with pytest.raises(ProvenanceViolation, match="belongs to user"):
        await execute_run(sessionmaker, int(str(run["id"])), storage)
    failed = (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()
    assert failed["status"] == "failed" and "belongs to user" in failed["error"]
    assert failed["version_id"] is None
    # Nothing was read, so nothing was logged in either freelancer's data-use ledger.
    for headers in (owner, stranger):
        entries = (await client.get("/api/v1/portfolio/data-use", headers=headers)).json()
        assert entries["entries"] == []


class WorkerKilled(BaseException):
    """Not an Exception: nothing in the job may catch it, as nothing runs after a SIGKILL."""


def run_sample_ids(run: TrainingRun | None) -> list[int]:
    assert run is not None
    return list(run.sample_ids)


async def test_consent_withdrawn_while_queued_fails_the_run(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    run, owner = await queued_run(client)
    samples = (await client.get("/api/v1/portfolio/samples", headers=owner)).json()["items"]
    await client.patch(
        f"/api/v1/portfolio/samples/{samples[0]['id']}",
        json={"consent_to_train": False},
        headers=owner,
    )
    with pytest.raises(ProvenanceViolation):
        await execute_run(sessionmaker, int(str(run["id"])), storage)
    failed = (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()
    assert failed["status"] == "failed" and "no consent" in failed["error"]


async def test_one_run_at_a_time_and_cancel_while_queued(client: httpx.AsyncClient) -> None:
    run, owner = await queued_run(client)
    second = await client.post(f"/api/v1/models/{run['model_id']}/training-runs", headers=owner)
    assert second.status_code == 409 and "still queued" in second.json()["detail"]
    cancelled = await client.post(f"/api/v1/training-runs/{run['id']}/cancel", headers=owner)
    assert cancelled.json()["status"] == "cancelled"
    again = await client.post(f"/api/v1/training-runs/{run['id']}/cancel", headers=owner)
    assert again.status_code == 409


async def test_cancel_during_training_stops_the_run(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    run, owner = await queued_run(client)
    # The flag is set the way the API sets it, while the run trains.
    status = await _run_with_cancel(sessionmaker, session, int(str(run["id"])), storage)
    assert status == "cancelled"
    final = (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()
    assert final["status"] == "cancelled" and final["version_id"] is None
    assert not artifacts.run_dir(get_settings(), int(str(run["id"]))).exists()


async def _run_with_cancel(
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    run_id: int,
    storage: ObjectStorage,
) -> str:
    """Start the run and request cancellation as soon as it is running."""
    task = asyncio.create_task(execute_run(sessionmaker, run_id, storage))
    for _ in range(600):
        await asyncio.sleep(0.05)
        run = await session.get(TrainingRun, run_id, populate_existing=True)
        assert run is not None
        if run.status == "running":
            await session.execute(
                update(TrainingRun).where(TrainingRun.id == run_id).values(cancel_requested=True)
            )
            break
    return await task


async def test_a_run_whose_worker_died_is_requeued_then_given_up(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    run, owner = await queued_run(client)
    settings = get_settings()
    stale = utcnow() - timedelta(seconds=settings.training_stale_seconds + 5)
    await session.execute(
        update(TrainingRun)
        .where(TrainingRun.id == run["id"])
        .values(status="running", attempts=1, heartbeat_at=stale)
    )
    requeued, failed = await reap_stale_runs(session, settings)
    assert run["id"] in requeued and not failed
    assert (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()[
        "status"
    ] == "queued"

    await session.execute(
        update(TrainingRun)
        .where(TrainingRun.id == run["id"])
        .values(status="running", attempts=settings.training_max_attempts, heartbeat_at=stale)
    )
    requeued, failed = await reap_stale_runs(session, settings)
    assert run["id"] in failed
    body = (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()
    assert body["status"] == "failed" and "stopped responding" in body["error"]


async def test_a_requeued_run_resumes_from_its_checkpoint(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker killed mid-run leaves a checkpoint; the next attempt continues from it."""
    from twinwork.creation import training

    run, owner = await queued_run(client)
    run_id = int(str(run["id"]))
    calls: list[int | None] = []
    real_train = training.train_text_adapter

    def dies_after_checkpoint(*args: Any, **kwargs: Any) -> Any:
        first = not calls
        report = kwargs["on_progress"]

        def on_progress(progress: Any) -> None:
            if first and progress.phase == "training" and progress.step >= 2:
                # The step-1 checkpoint is on disk; the process is gone: as if killed here.
                raise WorkerKilled()
            report(progress)

        calls.append(None)
        result = real_train(*args, **{**kwargs, "on_progress": on_progress, "checkpoint_every": 1})
        calls[-1] = result.resumed_from_step
        return result

    monkeypatch.setattr(training, "train_text_adapter", dies_after_checkpoint)
    with pytest.raises(WorkerKilled):
        await execute_run(sessionmaker, run_id, storage)
    assert (artifacts.run_dir(get_settings(), run_id) / "checkpoint").exists()
    stale = utcnow() - timedelta(hours=1)
    await session.execute(
        update(TrainingRun).where(TrainingRun.id == run_id).values(heartbeat_at=stale)
    )
    requeued, _ = await reap_stale_runs(session)
    assert run_id in requeued
    assert await execute_run(sessionmaker, run_id, storage) == "succeeded"
    assert calls[0] is None and calls[1] is not None and calls[1] > 0
    body = (await client.get(f"/api/v1/training-runs/{run_id}", headers=owner)).json()
    assert body["status"] == "succeeded" and body["attempts"] == 2
    # Each attempt read the samples, and each read is in the ledger.
    entries = await session.scalars(select(DataUseRecord).where(DataUseRecord.run_id == run_id))
    assert len(list(entries)) == 8
