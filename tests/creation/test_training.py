"""Training runs: provenance enforced inside the job, cancellation, dead workers, one at a time."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.creation.conftest import join_program
from tests.portfolio.factories import add_samples
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.creation.models import TrainingRun
from twinwork.creation.training import execute_run, reap_stale_runs
from twinwork.kit.db import unit_of_work, utcnow
from twinwork.kit.public_ids import public_id, row_id
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
        .where(TrainingRun.id == row_id("run", run["id"]))
        .values(
            sample_ids=[
                *run_sample_ids(await session.get(TrainingRun, row_id("run", run["id"]))),
                row_id("sample", theirs["id"]),
            ]
        )
    )
    with pytest.raises(ProvenanceViolation, match="belongs to user"):
        await execute_run(sessionmaker, row_id("run", run["id"]), storage)
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
        await execute_run(sessionmaker, row_id("run", run["id"]), storage)
    failed = (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()
    assert failed["status"] == "failed" and "no consent" in failed["error"]


async def test_one_run_at_a_time_and_cancel_while_queued(client: httpx.AsyncClient) -> None:
    run, owner = await queued_run(client)
    second = await client.post(f"/api/v1/models/{run['model_id']}/training-runs", headers=owner)
    assert second.status_code == 409 and "still queued" in second.json()["detail"]
    assert second.json()["run_id"] == run["id"]  # the busy run, by its public id
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
    status = await _run_with_cancel(sessionmaker, session, row_id("run", run["id"]), storage)
    assert status == "cancelled"
    final = (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()
    assert final["status"] == "cancelled" and final["version_id"] is None
    assert not artifacts.run_dir(get_settings(), row_id("run", run["id"])).exists()


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
        .where(TrainingRun.id == row_id("run", run["id"]))
        .values(status="running", attempts=1, heartbeat_at=stale)
    )
    requeued, failed = await reap_stale_runs(session, settings)
    assert row_id("run", run["id"]) in requeued and not failed
    assert (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()[
        "status"
    ] == "queued"

    await session.execute(
        update(TrainingRun)
        .where(TrainingRun.id == row_id("run", run["id"]))
        .values(status="running", attempts=settings.training_max_attempts, heartbeat_at=stale)
    )
    requeued, failed = await reap_stale_runs(session, settings)
    assert row_id("run", run["id"]) in failed
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
    from twinwork.ml.text import training as text_training

    run, owner = await queued_run(client)
    run_id = row_id("run", run["id"])
    calls: list[int | None] = []
    real_train = text_training.train_text_adapter

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

    monkeypatch.setattr(text_training, "train_text_adapter", dies_after_checkpoint)
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
    body = (
        await client.get(f"/api/v1/training-runs/{public_id('run', run_id)}", headers=owner)
    ).json()
    assert body["status"] == "succeeded" and body["attempts"] == 2
    assert not artifacts.run_dir(get_settings(), run_id).exists()  # stored; nothing to resume
    # Each attempt read the samples, and each read is in the ledger.
    entries = await session.scalars(select(DataUseRecord).where(DataUseRecord.run_id == run_id))
    assert len(list(entries)) == 8


def database_down() -> OperationalError:
    return OperationalError("UPDATE training_runs", {}, Exception("database is locked"))


def tracked_training(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Set once the training thread has left the training loop, however it left."""
    from twinwork.ml.text import training as text_training

    done = threading.Event()
    real_train = text_training.train_text_adapter

    def train(*args: Any, **kwargs: Any) -> Any:
        try:
            return real_train(*args, **kwargs)
        finally:
            done.set()

    monkeypatch.setattr(text_training, "train_text_adapter", train)
    return done


async def test_a_passing_database_error_in_the_heartbeat_does_not_stop_training(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from twinwork.creation import training

    run, owner = await queued_run(client)
    monkeypatch.setattr(training, "REPORT_INTERVAL_SECONDS", 0.2)
    real_report = training._report
    failures = [database_down(), database_down()]

    async def flaky_report(*args: Any, **kwargs: Any) -> bool:
        if failures:
            raise failures.pop()
        return await real_report(*args, **kwargs)

    monkeypatch.setattr(training, "_report", flaky_report)
    with caplog.at_level(logging.WARNING, logger=training.__name__):
        status = await execute_run(sessionmaker, row_id("run", run["id"]), storage)
    assert status == "succeeded"
    assert not failures and "could not save progress" in caplog.text
    body = (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()
    assert body["status"] == "succeeded" and body["attempts"] == 1


async def test_a_heartbeat_that_keeps_failing_stops_training_with_the_reason(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Training unseen is worse than stopping: the reaper would hand the run to a second
    worker while the first still trains."""
    from twinwork.creation import training

    run, owner = await queued_run(client)
    monkeypatch.setattr(training, "REPORT_INTERVAL_SECONDS", 0.05)
    monkeypatch.setattr(training, "REPORT_GRACE_SECONDS", 0.3)

    async def unreachable(*_args: Any, **_kwargs: Any) -> bool:
        raise database_down()

    monkeypatch.setattr(training, "_report", unreachable)
    trained = tracked_training(monkeypatch)
    status = await execute_run(sessionmaker, row_id("run", run["id"]), storage)
    assert status == "failed"
    assert trained.is_set(), "the training thread must have ended before the job returns"
    body = (await client.get(f"/api/v1/training-runs/{run['id']}", headers=owner)).json()
    assert body["status"] == "failed" and body["version_id"] is None
    assert "progress could not be saved" in body["error"]
    assert "database is locked" not in body["error"]  # internals stay in the log


async def test_a_job_cancelled_mid_training_stops_its_thread_and_keeps_the_checkpoint(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker shutting down cancels the job: the thread stops with it, and the run is left
    to the reaper, which requeues it to resume from the checkpoint."""
    from twinwork.creation import training

    run, owner = await queued_run(client)
    run_id = row_id("run", run["id"])
    trained = tracked_training(monkeypatch)
    # Cancelled between reports, not inside one: the test's sessions share one connection,
    # which a query cut off half-way would leave unusable for the checks below.
    monkeypatch.setattr(training, "REPORT_INTERVAL_SECONDS", 60.0)
    steps: list[int] = []

    def listener(progress: Any) -> None:
        if progress.phase == "training":
            steps.append(progress.step)

    job = asyncio.create_task(execute_run(sessionmaker, run_id, storage, listener=listener))
    for _ in range(600):
        if steps:
            break
        await asyncio.sleep(0.05)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    assert trained.is_set(), "the training thread must have ended before the job returns"
    seen = len(steps)
    await asyncio.sleep(0.5)
    assert len(steps) == seen
    assert (artifacts.run_dir(get_settings(), run_id) / "checkpoint").exists()
    body = (
        await client.get(f"/api/v1/training-runs/{public_id('run', run_id)}", headers=owner)
    ).json()
    assert body["status"] == "running"


def leave_checkpoint(run_id: int) -> Path:
    """What an earlier attempt leaves on this machine's disk."""
    directory = artifacts.run_dir(get_settings(), run_id)
    (directory / "checkpoint").mkdir(parents=True, exist_ok=True)
    (directory / "checkpoint" / "latest").write_text("step-000002")
    return directory


async def test_a_run_that_fails_deletes_its_checkpoint(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing retries a failed run, so nothing would ever resume from its checkpoint."""
    from twinwork.ml.text import training as text_training

    run, owner = await queued_run(client)
    run_id = row_id("run", run["id"])
    real_train = text_training.train_text_adapter

    def fails_after_a_checkpoint(*args: Any, **kwargs: Any) -> Any:
        report = kwargs["on_progress"]

        def on_progress(progress: Any) -> None:
            report(progress)
            if progress.phase == "training" and progress.step >= 2:
                raise OSError(28, "No space left on device")

        return real_train(*args, **{**kwargs, "on_progress": on_progress, "checkpoint_every": 1})

    monkeypatch.setattr(text_training, "train_text_adapter", fails_after_a_checkpoint)
    assert await execute_run(sessionmaker, run_id, storage) == "failed"
    body = (
        await client.get(f"/api/v1/training-runs/{public_id('run', run_id)}", headers=owner)
    ).json()
    assert body["status"] == "failed" and "No space left" in body["error"]
    assert not artifacts.run_dir(get_settings(), run_id).exists()


async def test_the_reaper_keeps_the_checkpoint_of_a_requeued_run_and_deletes_a_given_up_one(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    settings = get_settings()
    stale = utcnow() - timedelta(seconds=settings.training_stale_seconds + 5)
    runs = [row_id("run", (await queued_run(client))[0]["id"]) for _ in range(3)]
    requeue, give_up, cancel = runs
    for run_id, attempts, cancel_requested in (
        (requeue, 1, False),
        (give_up, settings.training_max_attempts, False),
        (cancel, 1, True),
    ):
        leave_checkpoint(run_id)
        await session.execute(
            update(TrainingRun)
            .where(TrainingRun.id == run_id)
            .values(
                status="running",
                attempts=attempts,
                heartbeat_at=stale,
                cancel_requested=cancel_requested,
            )
        )
    await session.commit()
    async with unit_of_work(sessionmaker) as reaping:
        requeued, failed = await reap_stale_runs(reaping, settings)
    assert requeue in requeued and give_up in failed
    assert artifacts.run_dir(settings, requeue).exists()
    assert not artifacts.run_dir(settings, give_up).exists()
    assert not artifacts.run_dir(settings, cancel).exists()


async def test_cancelling_a_requeued_run_deletes_the_checkpoint_it_would_have_resumed(
    client: httpx.AsyncClient,
) -> None:
    run, owner = await queued_run(client)
    directory = leave_checkpoint(row_id("run", run["id"]))
    cancelled = await client.post(f"/api/v1/training-runs/{run['id']}/cancel", headers=owner)
    assert cancelled.json()["status"] == "cancelled"
    assert not directory.exists()
