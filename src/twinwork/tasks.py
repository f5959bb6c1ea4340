"""Imports every domain's huey tasks so a consumer knows them all."""

from __future__ import annotations

from twinwork.domains import load_domains


def register_all() -> None:
    from twinwork.assistant import tasks as assistant_tasks  # noqa: F401
    from twinwork.billing.payout import tasks as payout_tasks  # noqa: F401
    from twinwork.billing.wallet import tasks as wallet_tasks  # noqa: F401
    from twinwork.billing.webhook import tasks as webhook_tasks  # noqa: F401
    from twinwork.creation import tasks as creation_tasks  # noqa: F401
    from twinwork.demo import tasks as demo_tasks  # noqa: F401
    from twinwork.demo import voice as demo_voice  # noqa: F401  (the demo's voice model)
    from twinwork.inbox import tasks as inbox_tasks  # noqa: F401
    from twinwork.notify import tasks as notify_tasks  # noqa: F401
    from twinwork.order import tasks as order_tasks  # noqa: F401
    from twinwork.program import tasks as program_tasks  # noqa: F401
    from twinwork.program import waitlist as program_waitlist  # noqa: F401
    from twinwork.search import tasks as search_tasks  # noqa: F401
    from twinwork.trends import tasks as trends_tasks  # noqa: F401

    # A task may sign up or promote a freelancer: the worker needs the domains' hooks too.
    load_domains()
