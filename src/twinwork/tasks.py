"""Imports every domain's huey tasks so a consumer knows them all."""

from __future__ import annotations


def register_all() -> None:
    from twinwork.billing import tasks as billing_tasks  # noqa: F401
    from twinwork.billing import webhook_tasks as billing_webhook_tasks  # noqa: F401
    from twinwork.creation import tasks as creation_tasks  # noqa: F401
    from twinwork.order import tasks as order_tasks  # noqa: F401
    from twinwork.search import tasks as search_tasks  # noqa: F401
