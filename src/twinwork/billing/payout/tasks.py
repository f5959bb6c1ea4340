from __future__ import annotations

from huey import crontab

from twinwork.billing.payout.transfer import (
    clear_earnings,
    finish_unfinished_payouts,
    send_payout_now,
)
from twinwork.kit.jobs import huey, run_with_sessionmaker


@huey.task(retries=0)
def send_payout(payout_id: int) -> str:
    return run_with_sessionmaker(lambda sm: send_payout_now(sm, payout_id))


@huey.periodic_task(crontab(minute="*/10"))
def retry_unfinished_payouts() -> int:
    return len(run_with_sessionmaker(finish_unfinished_payouts))


@huey.periodic_task(crontab(minute="23"))
def clear_pending_earnings() -> int:
    return run_with_sessionmaker(clear_earnings)
