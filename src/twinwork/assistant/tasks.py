"""The assistant's jobs: re-index a freelancer's knowledge when its sources change, and send
the one follow-up a waiting client gets after a handover."""

from __future__ import annotations

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.assistant.knowledge import reindex
from twinwork.assistant.repository import settings_repository
from twinwork.assistant.service import assistant_service
from twinwork.kit.jobs import huey, run_in_unit_of_work


@huey.task()
def reindex_knowledge(user_id: int) -> int:
    """After the settings or the FAQ change (enqueued after their commit)."""

    async def work(session: AsyncSession) -> int:
        return await reindex(session, user_id)

    return run_in_unit_of_work(work)


@huey.periodic_task(crontab(minute="*/30"))
def reindex_all_knowledge() -> int:
    """Gigs, profiles and models change in other domains, which do not tell the assistant:
    every enabled assistant's knowledge is brought up to date (only changed passages are
    embedded again). The assistant also re-indexes before each answer."""

    async def work(session: AsyncSession) -> int:
        total = 0
        for user_id in await settings_repository.enabled_user_ids(session):
            total += await reindex(session, user_id)
        return total

    return run_in_unit_of_work(work)


@huey.periodic_task(crontab(minute="*/10"))
def send_follow_ups() -> int:
    async def work(session: AsyncSession) -> int:
        return sum(1 for f in await assistant_service.send_follow_ups(session) if f.sent)

    return run_in_unit_of_work(work)
