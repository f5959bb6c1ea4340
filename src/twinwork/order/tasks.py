from __future__ import annotations

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.kit.db import utcnow
from twinwork.kit.jobs import huey, run_in_unit_of_work
from twinwork.order.service import order_service


@huey.periodic_task(crontab(minute="37"))
def auto_accept_deliveries() -> int:
    """Deliveries the buyer neither accepted nor sent back in time are accepted."""

    async def work(session: AsyncSession) -> int:
        return len(await order_service.auto_accept_due(session, utcnow()))

    return run_in_unit_of_work(work)
