from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.config import get_settings
from twinwork.kit.jobs import huey, run_in_unit_of_work
from twinwork.kit.storage import make_storage
from twinwork.search.export import export_day


@huey.task(retries=3, retry_delay=30)
def export_search_log(day_iso: str) -> int:
    """Write one day of the search log to Parquet; returns the number of events."""
    day = date.fromisoformat(day_iso)
    storage = make_storage(get_settings())

    async def work(session: AsyncSession) -> int:
        return await export_day(session, storage, day)

    return run_in_unit_of_work(work)


@huey.periodic_task(crontab(minute="7"))
def export_recent_search_log() -> None:
    """Hourly: refresh today's and yesterday's files (late events land in yesterday's)."""
    today = datetime.now(UTC).date()
    for day in (today - timedelta(days=1), today):
        export_search_log(day.isoformat())
