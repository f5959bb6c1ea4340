"""The waitlist job: seats freed (a membership ended, an admission unused in time, a higher
seat limit) are offered to the next freelancers in line. Queued after the commit that freed a
seat, and run every few minutes for admissions that ran out meanwhile."""

from __future__ import annotations

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.kit.db import utcnow
from twinwork.kit.jobs import huey, run_in_unit_of_work
from twinwork.program.admission import admission_service


async def offer_seats(session: AsyncSession) -> list[int]:
    return await admission_service.offer_freed_seats(session, utcnow())


@huey.task(retries=2, retry_delay=5)
def offer_freed_seats() -> int:
    return len(run_in_unit_of_work(offer_seats))


@huey.periodic_task(crontab(minute="*/5"))
def offer_freed_seats_periodically() -> int:
    return len(run_in_unit_of_work(offer_seats))
