from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.inbox.notification import email_about
from twinwork.kit.jobs import huey, run_in_unit_of_work
from twinwork.notify.mail import mailer


@huey.task(retries=3, retry_delay=60)
def email_about_message(message_id: int) -> bool:
    """E-mail the other party about a new message, unless it is read or one went out lately."""

    async def work(session: AsyncSession) -> bool:
        return await email_about(session, message_id, mailer()) is not None

    return run_in_unit_of_work(work)
