"""Running one training run: claim it, check provenance, log data use, train, evaluate, store.

The slow parts (training, evaluation) run in a thread with no database transaction open; the
coroutine beside them writes progress once a second, which doubles as the heartbeat, and reads
the cancel flag. A worker that dies leaves a stale heartbeat behind, and ``reap_stale_runs``
hands the run to another worker, which resumes from the last checkpoint. A worker that cannot
write its heartbeat for ``REPORT_GRACE_SECONDS`` stops training rather than go on unseen.

A run's checkpoint lives until the run has ended for good (succeeded, failed or cancelled, and
committed as such); a run the reaper requeues keeps it, to resume from.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.config import Settings, get_settings
from twinwork.creation import artifacts
from twinwork.creation.models import ModelVersion, RunStatus, TrainingRun
from twinwork.creation.repository import model_repository, run_repository, version_repository
from twinwork.creation.runtime import model_environment
from twinwork.kit.db import after_commit, unit_of_work, utcnow
from twinwork.kit.public_ids import public_id
from twinwork.kit.signing import sha256_hex
from twinwork.kit.storage import ObjectStorage
from twinwork.kit.worker_process import lower_priority
from twinwork.ml import (
    EvaluateRequest,
    Modality,
    TrainingCancelled,
    TrainingProgress,
    TrainingSample,
    TrainRequest,
    get_modality,
)
from twinwork.portfolio.service import ProvenanceViolation, portfolio_service

log = logging.getLogger(__name__)

REPORT_INTERVAL_SECONDS = 1.0
# How long progress may fail to be written (the database unreachable) before training stops.
# Well under TWINWORK_TRAINING_STALE_SECONDS, so the run is never reaped and handed to
# another worker while this one still trains it.
REPORT_GRACE_SECONDS = 30.0

ProgressListener = Callable[[TrainingProgress], None]


class RunEnded(Exception):
    """The run was cancelled or its model erased while it trained."""


class HeartbeatLost(Exception):
    """Progress could not be written for too long; training was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"Training was stopped: its progress could not be saved for {seconds:.0f} seconds "
            "(the database did not answer). Start a new run; your samples are unchanged."
        )


@dataclass
class _Shared:
    """What the training thread and the reporting coroutine pass each other."""

    stop: threading.Event = field(default_factory=threading.Event)
    latest: TrainingProgress | None = None


@dataclass(frozen=True)
class ClaimedRun:
    run_id: int
    model_id: int
    modality: Modality[Any]
    config: Any
    """The run's plan, as the modality's config class."""
    samples: list[TrainingSample]
    files: dict[int, str] = field(default_factory=dict)
    """Storage keys of the samples that are files, by sample id: fetched into the run's
    scratch directory, and checked against their hashes, before training starts."""


async def execute_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    run_id: int,
    storage: ObjectStorage,
    *,
    settings: Settings | None = None,
    listener: ProgressListener | None = None,
) -> str:
    """Run a queued training run to its end; returns its final status ("skipped" when another
    worker has it). Provenance violations mark the run failed and are raised again."""
    settings = settings or get_settings()
    try:
        async with unit_of_work(sessionmaker) as session:
            claimed = await _claim(session, run_id)
    except RunEnded:
        return await _finish(sessionmaker, settings, run_id, "cancelled")
    except ProvenanceViolation as exc:
        await _finish(sessionmaker, settings, run_id, "failed", error=f"Refused to train: {exc}.")
        raise
    if claimed is None:
        return "skipped"
    shared = _Shared()
    work_dir = artifacts.run_dir(settings, run_id)
    try:
        claimed = await _fetch_files(storage, claimed, work_dir / "samples")
        outcome = await _train_and_report(
            sessionmaker, claimed, settings, shared, work_dir, listener
        )
        version_id = await _store_version(sessionmaker, claimed, storage, outcome)
    except (TrainingCancelled, RunEnded):
        return await _finish(sessionmaker, settings, run_id, "cancelled")
    except HeartbeatLost as exc:  # logged with its cause where it was raised
        return await _finish(sessionmaker, settings, run_id, "failed", error=str(exc))
    except ProvenanceViolation as exc:  # a stored file changed since it was added
        await _finish(sessionmaker, settings, run_id, "failed", error=f"Refused to train: {exc}.")
        raise
    except Exception as exc:
        log.exception("training run %s failed", run_id)
        return await _finish(sessionmaker, settings, run_id, "failed", error=_reason(exc))
    return await _finish(sessionmaker, settings, run_id, "succeeded", version_id=version_id)


async def _claim(session: AsyncSession, run_id: int) -> ClaimedRun | None:
    now = utcnow()
    if not await run_repository.claim(session, run_id, now):
        return None
    run = await run_repository.get(session, run_id)
    assert run is not None
    model = await model_repository.get(session, run.model_id)
    assert model is not None
    if run.cancel_requested or model.erased_at is not None:
        raise RunEnded()
    samples = await portfolio_service.load_for_training(
        session, owner_id=model.owner_user_id, sample_ids=run.sample_ids, since=run.created_at
    )
    # Written and committed before any sample is handed to training: a read that is not in the
    # ledger cannot happen.
    await portfolio_service.record_data_use(
        session, owner_id=model.owner_user_id, model_id=model.id, run_id=run.id, samples=samples
    )
    modality = get_modality(model.modality)
    return ClaimedRun(
        run_id=run.id,
        model_id=model.id,
        modality=modality,
        config=modality.config_from_dict(run.plan),
        samples=[TrainingSample(s.id, s.content_hash, s.kind, s.content) for s in samples],
        files={s.id: s.storage_key for s in samples if s.storage_key is not None},
    )


async def _fetch_files(storage: ObjectStorage, claimed: ClaimedRun, directory: Path) -> ClaimedRun:
    """The run's file samples copied from storage into its scratch directory (each read is
    in the data-use ledger already), handed to the modality as local paths."""
    if not claimed.files:
        return claimed
    directory.mkdir(parents=True, exist_ok=True)
    samples = []
    for sample in claimed.samples:
        key = claimed.files.get(sample.sample_id)
        if key is None:
            samples.append(sample)
            continue
        data = await storage.get(key)
        if sha256_hex(data) != sample.content_hash:
            raise ProvenanceViolation(
                f"the stored file of sample {public_id('sample', sample.sample_id)} does not "
                "match its recorded hash"
            )
        path = directory / f"sample-{sample.sample_id}{Path(key).suffix}"
        path.write_bytes(data)
        samples.append(dataclasses.replace(sample, path=path))
    return dataclasses.replace(claimed, samples=samples)


@dataclass(frozen=True)
class _Outcome:
    base_model_id: str
    adapter_dir: Path
    seconds: float
    train: tuple[TrainingSample, ...]
    heldout: tuple[TrainingSample, ...]
    metrics: dict[str, float]
    outputs: list[dict[str, str]]


async def _train_and_report(
    sessionmaker: async_sessionmaker[AsyncSession],
    claimed: ClaimedRun,
    settings: Settings,
    shared: _Shared,
    work_dir: Path,
    listener: ProgressListener | None,
) -> _Outcome:
    def on_progress(progress: TrainingProgress) -> None:
        shared.latest = progress
        if listener is not None:
            listener(progress)

    modality = claimed.modality
    environment = model_environment(settings, modality.name)

    def work() -> _Outcome:
        # Pages first: this thread (and the compute threads it starts) yields the CPU to
        # serving, also where the jobs run inside the web process (kit.worker_process).
        lower_priority(settings.training_nice)
        started = time.monotonic()
        on_progress(TrainingProgress(0, 0, None, 0.0, None, "loading"))
        result = modality.train(
            TrainRequest(
                config=claimed.config,
                samples=claimed.samples,
                environment=environment,
                out_dir=work_dir / "adapter",
                checkpoint_dir=work_dir / "checkpoint",
                on_progress=on_progress,
                should_stop=shared.stop.is_set,
            )
        )
        if shared.stop.is_set():
            raise TrainingCancelled()
        on_progress(
            TrainingProgress(
                result.steps,
                result.steps,
                result.final_loss,
                time.monotonic() - started,
                None,
                "evaluating",
            )
        )
        evaluation = modality.evaluate(
            EvaluateRequest(
                config=claimed.config,
                environment=environment,
                trained=result,
                portfolio=claimed.samples,
                briefs=settings.evaluation_briefs,
                max_length=settings.evaluation_max_new_tokens,
            )
        )
        return _Outcome(
            base_model_id=result.base_model_id,
            adapter_dir=result.adapter_dir,
            seconds=time.monotonic() - started,
            train=result.trained,
            heldout=result.heldout,
            metrics=evaluation.metrics,
            outputs=evaluation.outputs,
        )

    task = asyncio.create_task(asyncio.to_thread(work))
    try:
        await _report_until_done(sessionmaker, claimed.run_id, shared, task, settings)
    finally:
        # However this ends (the run stopped, the heartbeat lost, this job cancelled), the
        # thread is told to stop and waited for: it must never train on, unseen, beside a
        # second worker the reaper handed the run to.
        shared.stop.set()
        await asyncio.wait({task})
        if not task.cancelled():
            # Marked as seen: when this coroutine raised, its exception is the one that says
            # why the run ended, and the thread's (TrainingCancelled) would be noise.
            task.exception()
    return task.result()


async def _report_until_done(
    sessionmaker: async_sessionmaker[AsyncSession],
    run_id: int,
    shared: _Shared,
    task: asyncio.Task[_Outcome],
    settings: Settings,
) -> None:
    """Write progress every interval until the thread ends; set ``shared.stop`` once the run
    should stop, and raise HeartbeatLost once progress could not be written for too long."""
    grace = min(REPORT_GRACE_SECONDS, settings.training_stale_seconds / 2)
    last_written = time.monotonic()
    while not task.done():
        await asyncio.wait({task}, timeout=REPORT_INTERVAL_SECONDS)
        try:
            keep_going = await _report(sessionmaker, run_id, shared.latest)
        except Exception as exc:
            # A passing outage (a restart, a lock held too long) must not end a run that is
            # training fine: the next tick tries again.
            silent = time.monotonic() - last_written
            if silent < grace:
                log.warning(
                    "training run %s: could not save progress for %.0f s: %s", run_id, silent, exc
                )
                continue
            log.exception("training run %s: no progress saved for %.0f s; stopping", run_id, silent)
            raise HeartbeatLost(silent) from exc
        last_written = time.monotonic()
        if not keep_going:
            shared.stop.set()


async def _report(
    sessionmaker: async_sessionmaker[AsyncSession],
    run_id: int,
    progress: TrainingProgress | None,
) -> bool:
    """Write progress and the heartbeat; False once the run should stop."""
    async with unit_of_work(sessionmaker) as session:
        run = await run_repository.get(session, run_id)
        if run is None or run.status != "running":
            return False
        model = await model_repository.get(session, run.model_id)
        run.heartbeat_at = utcnow()
        if progress is not None:
            run.phase = progress.phase
            run.step = progress.step
            run.total_steps = progress.total_steps
            run.loss = progress.loss
            run.eta_seconds = progress.eta_seconds
        return not run.cancel_requested and model is not None and model.erased_at is None


async def _store_version(
    sessionmaker: async_sessionmaker[AsyncSession],
    claimed: ClaimedRun,
    storage: ObjectStorage,
    outcome: _Outcome,
) -> int:
    prefix = artifacts.adapter_prefix(claimed.model_id, claimed.run_id)
    artifact_hash, size = await artifacts.upload_adapter(storage, outcome.adapter_dir, prefix)
    async with unit_of_work(sessionmaker) as session:
        run = await run_repository.get(session, claimed.run_id)
        model = await model_repository.lock(session, claimed.model_id)
        assert run is not None and model is not None
        if model.erased_at is not None or run.cancel_requested or run.status != "running":
            # Erased or cancelled while we stored: what we just uploaded must not outlive it.
            await artifacts.delete_stored(storage, prefix)
            raise RunEnded()
        version = ModelVersion(
            model_id=model.id,
            number=await version_repository.next_number(session, model.id),
            run_id=run.id,
            base_model_id=outcome.base_model_id,
            artifact_key=prefix,
            artifact_hash=artifact_hash,
            artifact_bytes=size,
            training_samples=[_sample_ref(s) for s in outcome.train],
            heldout_samples=[_sample_ref(s) for s in outcome.heldout],
            hyperparameters=claimed.modality.config_as_dict(claimed.config),
            metrics=outcome.metrics,
            evaluation_outputs=outcome.outputs,
            train_seconds=round(outcome.seconds, 2),
        )
        await version_repository.add(session, version)
        return version.id


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    run_id: int,
    status: str,
    *,
    error: str | None = None,
    version_id: int | None = None,
) -> str:
    async with unit_of_work(sessionmaker) as session:
        final = _end(await run_repository.get(session, run_id), status, error, version_id)
    # Only once the end is committed: should that commit fail, the run is still running for
    # the reaper, which requeues it to resume from this checkpoint.
    artifacts.delete_local(artifacts.run_dir(settings, run_id))
    return final


def _end(run: TrainingRun | None, status: str, error: str | None, version_id: int | None) -> str:
    if run is None:
        return status
    if run.status in ("succeeded", "failed", "cancelled"):
        return run.status  # ended elsewhere (cancelled while queued, reaped)
    run.status = RunStatus(status)
    run.phase = status
    run.error = error
    run.version_id = version_id
    run.finished_at = utcnow()
    run.eta_seconds = None
    if status == "succeeded":
        run.step = run.total_steps
    return status


def _sample_ref(sample: TrainingSample) -> dict[str, Any]:
    return {"id": sample.sample_id, "content_hash": sample.content_hash}


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"Training stopped with an error: {text[:400]}"


# ---- stale runs ----------------------------------------------------------------------------


async def reap_stale_runs(
    session: AsyncSession, settings: Settings | None = None
) -> tuple[list[int], list[int]]:
    """Runs whose worker went silent: requeue them (they resume from their checkpoint) or,
    after too many attempts, fail them with the reason. Returns (requeued, failed) ids."""
    settings = settings or get_settings()
    cutoff = utcnow() - timedelta(seconds=settings.training_stale_seconds)
    requeued, failed, ended = [], [], []
    for run in await run_repository.stale(session, cutoff):
        if run.cancel_requested:
            run.status, run.phase, run.finished_at = RunStatus.CANCELLED, "cancelled", utcnow()
            ended.append(run.id)
        elif run.attempts >= settings.training_max_attempts:
            run.status, run.phase, run.finished_at = RunStatus.FAILED, "failed", utcnow()
            run.error = (
                f"The worker training this model stopped responding {run.attempts} times; "
                "the run was given up. Start a new run; your samples are unchanged."
            )
            failed.append(run.id)
            ended.append(run.id)
        else:
            # Its checkpoint stays: the next attempt resumes from it.
            run.status, run.phase, run.heartbeat_at = RunStatus.QUEUED, "queued", utcnow()
            requeued.append(run.id)
    await session.flush()
    if ended:
        # A checkpoint lies on the disk of the worker that went silent: this machine's in the
        # embedded default. A worker machine of its own keeps it (its worker is gone).
        after_commit(session, lambda: _delete_checkpoints(settings, ended))
    return requeued, failed


def _delete_checkpoints(settings: Settings, run_ids: list[int]) -> None:
    for run_id in run_ids:
        artifacts.delete_local(artifacts.run_dir(settings, run_id))
