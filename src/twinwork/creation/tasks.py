from __future__ import annotations

import asyncio

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.config import get_settings
from twinwork.creation.service import creation_service
from twinwork.creation.training import execute_run, reap_stale_runs
from twinwork.kit.db import make_engine, make_sessionmaker, unit_of_work
from twinwork.kit.jobs import enqueue_after_commit, huey, run_in_unit_of_work
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.portfolio.service import ProvenanceViolation


# No huey retries: a failed run is failed with its reason; a dead worker is found by the
# reaper below, which requeues the run so it resumes from its checkpoint.
@huey.task(retries=0)
def train_model(run_id: int) -> str:
    settings = get_settings()

    async def main() -> str:
        engine = make_engine(settings.resolved_database_url, pooled=False)
        try:
            return await execute_run(
                make_sessionmaker(engine), run_id, make_storage(settings), settings=settings
            )
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except ProvenanceViolation:
        return "failed"  # recorded on the run, with the reason


@huey.periodic_task(crontab(minute="*"))
def requeue_stale_training_runs() -> list[int]:
    async def work(session: AsyncSession) -> list[int]:
        requeued, _failed = await reap_stale_runs(session)
        for run_id in requeued:
            enqueue_after_commit(session, train_model, run_id)
        return requeued

    return run_in_unit_of_work(work)


async def finish_unfinished_erasures(
    sessionmaker: async_sessionmaker[AsyncSession], storage: ObjectStorage
) -> list[int]:
    """Delete the files of erased models that still have some: the process erasing them died
    between the commit and the deletion, or storage was down. Returns the models finished."""
    async with unit_of_work(sessionmaker, writes=False) as session:
        unfinished = await creation_service.unfinished_erasures(session)
    finished = []
    for files in unfinished:
        # The files go before this unit of work first touches the database: no write lock is
        # held while storage answers.
        async with unit_of_work(sessionmaker) as session:
            if await creation_service.delete_erased_files(session, storage, files):
                finished.append(files.model_id)
    return finished


@huey.periodic_task(crontab(minute="*/10"))
def finish_erasures() -> list[int]:
    settings = get_settings()

    async def main() -> list[int]:
        engine = make_engine(settings.resolved_database_url, pooled=False)
        try:
            return await finish_unfinished_erasures(
                make_sessionmaker(engine), make_storage(settings)
            )
        finally:
            await engine.dispose()

    return asyncio.run(main())
