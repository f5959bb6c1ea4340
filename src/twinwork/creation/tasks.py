from __future__ import annotations

import asyncio

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.config import get_settings
from twinwork.creation.training import execute_run, reap_stale_runs
from twinwork.kit.db import make_engine, make_sessionmaker
from twinwork.kit.jobs import enqueue_after_commit, huey, run_in_unit_of_work
from twinwork.kit.storage import make_storage
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
