from __future__ import annotations

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.kit.db import unit_of_work
from twinwork.kit.jobs import huey, run_in_unit_of_work, run_with_sessionmaker
from twinwork.notify.email import email_notification, unsent_ids
from twinwork.notify.mail import mailer


@huey.task(retries=3, retry_delay=60)
def send_notification_email(notification_id: int) -> bool:
    async def work(session: AsyncSession) -> bool:
        return await email_notification(session, notification_id, mailer())

    return run_in_unit_of_work(work)


@huey.periodic_task(crontab(minute="*/10"))
def send_unsent_notification_emails() -> int:
    """E-mails whose job was lost; each in its own transaction, so one failure stops none."""

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        async with unit_of_work(sessionmaker, writes=False) as session:
            ids = await unsent_ids(session)
        sent, port = 0, mailer()
        for notification_id in ids:
            async with unit_of_work(sessionmaker) as session:
                sent += await email_notification(session, notification_id, port)
        return sent

    return run_with_sessionmaker(work)
