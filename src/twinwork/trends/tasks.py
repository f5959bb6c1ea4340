from __future__ import annotations

from datetime import date

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.config import get_settings
from twinwork.kit.jobs import huey, run_in_unit_of_work
from twinwork.kit.storage import make_storage
from twinwork.search.export import export_day
from twinwork.trends.rollup import RollupReport, roll_up


@huey.task(retries=3, retry_delay=30)
def roll_up_search_log() -> int:
    """Roll up every exported day that is new or re-exported; returns how many."""
    storage = make_storage(get_settings())

    async def work(session: AsyncSession) -> RollupReport:
        return await roll_up(session, storage)

    report = run_in_unit_of_work(work)
    return len(report.rolled_up) + len(report.removed)


@huey.periodic_task(crontab(minute="17"))
def roll_up_recent_search_log() -> None:
    """Hourly, ten minutes after the search log's export (search.tasks, at :07)."""
    roll_up_search_log()


@huey.task(retries=3, retry_delay=30)
def export_and_roll_up(day_isos: list[str]) -> int:
    """After an import of history: export the days it touched, then roll them up."""
    storage = make_storage(get_settings())

    async def work(session: AsyncSession) -> int:
        for day_iso in day_isos:
            await export_day(session, storage, date.fromisoformat(day_iso))
        report = await roll_up(session, storage)
        return len(report.rolled_up)

    return run_in_unit_of_work(work)
