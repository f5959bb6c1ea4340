"""What an order page says about the order at a glance: the gig and package it came from, the
other party, what the freelancer earns after the fee, the due date counting down, and every
step so far in order of time.

It only reads: the steps come from the rows the order's life writes (deliveries, revision
requests, disputes, the order's own timestamps), so there is no second record to drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.sale import platform_fee
from twinwork.catalog.models import Gig
from twinwork.kit.db import utcnow
from twinwork.order.models import DisputeStatus, Order, OrderKind, OrderStatus
from twinwork.order.repository import order_repository


@dataclass(frozen=True)
class Step:
    at: datetime
    title: str
    detail: str = ""


@dataclass(frozen=True)
class OrderSummary:
    gig_id: int | None
    gig_title: str
    package_name: str | None
    counterparty: User
    counterparty_role: str
    """"buyer" or "freelancer": who the other party is to the person reading."""
    freelancer_earns_amount: int
    """The price less the platform fee, in cents: what the freelancer is paid on acceptance."""
    fee_amount: int
    """In cents."""
    due_in: str
    """"due in 2 days", "due today", "2 days late", or "" when nothing is due."""
    steps: tuple[Step, ...]


def due_in(due_at: datetime | None, now: datetime) -> str:
    if due_at is None:
        return ""
    days = (due_at.date() - now.date()).days
    if days > 1:
        return f"due in {days} days"
    if days == 1:
        return "due tomorrow"
    if days == 0:
        return "due today"
    return f"{-days} day{'s' if days < -1 else ''} late"


async def order_summary(session: AsyncSession, order: Order, reader: User) -> OrderSummary:
    gig = await session.get(Gig, order.gig_id) if order.gig_id else None
    reader_is_buyer = order.buyer_user_id == reader.id
    counterparty = await session.get(
        User, order.freelancer_user_id if reader_is_buyer else order.buyer_user_id
    )
    assert counterparty is not None
    fee = platform_fee(order.price_amount)
    waiting = order.status == OrderStatus.IN_PROGRESS
    return OrderSummary(
        gig_id=gig.id if gig else None,
        gig_title=gig.title if gig else "Work from the freelancer's AI model",
        package_name=order.package_name,
        counterparty=counterparty,
        counterparty_role="freelancer" if reader_is_buyer else "buyer",
        freelancer_earns_amount=order.price_amount - fee,
        fee_amount=fee,
        due_in=due_in(order.due_at, utcnow()) if waiting else "",
        steps=tuple(await _steps(session, order)),
    )


async def _steps(session: AsyncSession, order: Order) -> list[Step]:
    steps = [Step(order.created_at, "Order placed", _placed_detail(order))]
    if order.due_at is not None and order.delivery_days is not None:
        started = order.due_at - timedelta(days=order.delivery_days)
        steps.append(
            Step(started, "Requirements received", f"Due {order.due_at.strftime('%Y-%m-%d')}")
        )
    for delivery in await order_repository.deliveries(session, order.id):
        title = "AI draft ready" if delivery.is_draft else "Delivered"
        steps.append(Step(delivery.created_at, title, delivery.disclosure))
    for revision in await order_repository.revisions(session, order.id):
        steps.append(Step(revision.created_at, "Revision requested", revision.message[:140]))
    for dispute in await order_repository.disputes_of(session, order.id):
        steps.append(Step(dispute.created_at, "Dispute opened", dispute.reason[:140]))
        if dispute.closed_at is not None:
            title = (
                "Dispute resolved"
                if dispute.status == DisputeStatus.RESOLVED
                else "Dispute withdrawn"
            )
            steps.append(Step(dispute.closed_at, title))
    if order.completed_at is not None:
        steps.append(Step(order.completed_at, "Completed", "The freelancer is paid."))
    if order.cancelled_at is not None:
        steps.append(Step(order.cancelled_at, "Cancelled", "The payment went back to the wallet."))
    return sorted(steps, key=lambda step: step.at)


def _placed_detail(order: Order) -> str:
    if order.kind == OrderKind.AI:
        return "Paid; made by the freelancer's AI model."
    return "Paid into escrow until the buyer accepts the work."
