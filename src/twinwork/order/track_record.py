"""A freelancer's track record as profiles show it: completed orders and response time.

Response time is measured from events every order already records: from the moment an
order's work could start (placed with its brief, or when the buyer sent the requirements) to
the freelancer's first delivery by hand (a hybrid order's instant AI draft does not count).
It is the median over the freelancer's latest ``RESPONSE_SAMPLE`` such orders, so one slow
order neither hides nor dominates the rest. AI orders are instant and are left out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.order.models import Delivery, Order, OrderKind, OrderStatus

RESPONSE_SAMPLE = 50


@dataclass(frozen=True)
class TrackRecord:
    completed_orders: int
    response_hours: float | None
    """Median hours from an order's start to the first delivery; None before any."""
    measured_orders: int
    """How many orders the median is taken over."""

    @property
    def response_text(self) -> str:
        """ "within 3 hours", "within 2 days"; "" when nothing was measured."""
        hours = self.response_hours
        if hours is None:
            return ""
        if hours < 1:
            return "within an hour"
        if hours < 48:
            whole = int(-(-hours // 1))
            return f"within {whole} hour{'s' if whole != 1 else ''}"
        days = int(-(-hours // 24))
        return f"within {days} days"


def _started(order: Order) -> datetime:
    """When the work could start: the delivery clock's start (due date less the package's
    days), else when the order was placed."""
    if order.due_at is not None and order.delivery_days:
        return order.due_at - timedelta(days=order.delivery_days)
    return order.created_at


async def track_record(session: AsyncSession, freelancer_id: int) -> TrackRecord:
    completed = await session.scalar(
        select(func.count())
        .select_from(Order)
        .where(Order.freelancer_user_id == freelancer_id, Order.status == OrderStatus.COMPLETED)
    )
    first_delivery = (
        select(Delivery.order_id, func.min(Delivery.created_at).label("first_at"))
        .where(Delivery.made_by != OrderKind.AI, Delivery.is_draft.is_(False))
        .group_by(Delivery.order_id)
        .subquery()
    )
    rows = await session.execute(
        select(Order, first_delivery.c.first_at)
        .join(first_delivery, first_delivery.c.order_id == Order.id)
        .where(Order.freelancer_user_id == freelancer_id, Order.kind != OrderKind.AI)
        .order_by(Order.id.desc())
        .limit(RESPONSE_SAMPLE)
    )
    hours = [
        max((first_at - _started(order)).total_seconds(), 0) / 3600
        for order, first_at in rows
        if first_at is not None
    ]
    return TrackRecord(
        completed_orders=int(completed or 0),
        response_hours=statistics.median(hours) if hours else None,
        measured_orders=len(hours),
    )
