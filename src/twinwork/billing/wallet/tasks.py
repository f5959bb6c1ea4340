from __future__ import annotations

from huey import crontab

from twinwork.billing.wallet.top_up import finish_unrecorded_top_ups
from twinwork.kit.jobs import huey, run_with_sessionmaker


@huey.periodic_task(crontab(minute="*/10"))
def finish_card_charges() -> int:
    return len(run_with_sessionmaker(finish_unrecorded_top_ups))
