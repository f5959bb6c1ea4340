from __future__ import annotations

import asyncio
from datetime import datetime

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.billing.subscription import RenewalCharge, RenewalOutcome, subscription_service
from twinwork.config import get_settings
from twinwork.kit.db import make_engine, make_sessionmaker, unit_of_work, utcnow
from twinwork.kit.jobs import huey

ENDED = ("lapsed", "ended")


async def renew_due(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime | None = None
) -> list[RenewalOutcome]:
    """Renew, retry, end or lapse every subscription that is due; a membership that ends
    switches its owner's models off (never erases them)."""
    now = now or utcnow()
    async with unit_of_work(sessionmaker, writes=False) as session:
        due = await subscription_service.due(session, now)
    outcomes = []
    for subscription_id in due:
        async with unit_of_work(sessionmaker) as session:
            step = await subscription_service.prepare_renewal(session, subscription_id, now)
        if isinstance(step, RenewalCharge):
            result = await subscription_service.charge(step)
            async with unit_of_work(sessionmaker) as session:
                step = await subscription_service.record_renewal(session, step, result, now)
        if step is None:
            continue
        if step.status in ENDED:
            await switch_off_models(sessionmaker, step.user_id)
        outcomes.append(step)
    return outcomes


async def switch_off_models(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> int:
    from twinwork.creation.service import creation_service  # creation builds on billing

    async with unit_of_work(sessionmaker) as session:
        return await creation_service.deactivate_all_for_owner(session, user_id)


@huey.periodic_task(crontab(minute="13"))
def renew_subscriptions() -> int:
    async def main() -> int:
        engine = make_engine(get_settings().resolved_database_url, pooled=False)
        try:
            return len(await renew_due(make_sessionmaker(engine)))
        finally:
            await engine.dispose()

    return asyncio.run(main())
