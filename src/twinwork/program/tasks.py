from __future__ import annotations

from huey import crontab

from twinwork.kit.jobs import huey, run_with_sessionmaker
from twinwork.program.renewal import finish_unrecorded_invoices, renew_due


@huey.periodic_task(crontab(minute="13"))
def renew_subscriptions() -> int:
    return len(run_with_sessionmaker(renew_due))


@huey.periodic_task(crontab(minute="*/10"))
def finish_membership_charges() -> int:
    return len(run_with_sessionmaker(finish_unrecorded_invoices))
