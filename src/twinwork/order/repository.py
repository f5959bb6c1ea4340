from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from twinwork.account.models import User
from twinwork.order.models import (
    Delivery,
    DeliveryFile,
    Dispute,
    DisputeStatus,
    Order,
    OrderKind,
    OrderStatus,
    Review,
    RevisionRequest,
)

AGE_BUCKETS = (("under a day", 1), ("1 to 3 days", 3), ("3 to 7 days", 7), ("over 7 days", None))
"""Ageing buckets of the operations page: a label and the age in days it runs up to."""


def _age_counts(column: InstrumentedAttribute[datetime], now: datetime) -> list[ColumnElement[int]]:
    """One SUM(CASE ...) per bucket: rows are counted by age in the database."""
    sums: list[ColumnElement[int]] = []
    lower: int | None = None
    for _, upper in AGE_BUCKETS:
        conditions: list[ColumnElement[bool]] = [true()]
        if upper is not None:
            conditions.append(column > now - timedelta(days=upper))
        if lower is not None:
            conditions.append(column <= now - timedelta(days=lower))
        sums.append(func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0))
        lower = upper
    return sums


class OrderRepository:
    async def completed_count(self, session: AsyncSession, freelancer_id: int) -> int:
        return int(
            await session.scalar(
                select(func.count(Order.id)).where(
                    Order.freelancer_user_id == freelancer_id,
                    Order.status == OrderStatus.COMPLETED,
                )
            )
            or 0
        )

    async def add(
        self, session: AsyncSession, row: Order | Delivery | RevisionRequest | Review | Dispute
    ) -> None:
        session.add(row)
        await session.flush()

    async def lock(self, session: AsyncSession, order_id: int) -> Order | None:
        return await session.scalar(
            select(Order)
            .where(Order.id == order_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def by_ids(self, session: AsyncSession, ids: set[int]) -> dict[int, Order]:
        if not ids:
            return {}
        result = await session.scalars(select(Order).where(Order.id.in_(ids)))
        return {order.id: order for order in result}

    async def by_request_key(self, session: AsyncSession, buyer_id: int, key: str) -> Order | None:
        return await session.scalar(
            select(Order).where(Order.buyer_user_id == buyer_id, Order.request_key == key)
        )

    async def for_party(
        self, session: AsyncSession, user_id: int, offset: int, limit: int
    ) -> tuple[list[Order], int]:
        where = or_(Order.buyer_user_id == user_id, Order.freelancer_user_id == user_id)
        total = int(await session.scalar(select(func.count(Order.id)).where(where)) or 0)
        result = await session.scalars(
            select(Order)
            .where(where)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(result), total

    async def active_for_freelancer(self, session: AsyncSession, user_id: int) -> list[Order]:
        """Orders still open on the freelancer's side, the soonest due first (those waiting
        for requirements, with no due date yet, last)."""
        active = (
            OrderStatus.AWAITING_REQUIREMENTS,
            OrderStatus.IN_PROGRESS,
            OrderStatus.DELIVERED,
            OrderStatus.DISPUTED,
        )
        result = await session.scalars(
            select(Order)
            .where(Order.freelancer_user_id == user_id, Order.status.in_(active))
            .order_by(Order.due_at.is_(None), Order.due_at, Order.id)
        )
        return list(result)

    async def open_order_ages(self, session: AsyncSession, now: datetime) -> list[int]:
        """Orders not yet finished, counted per AGE_BUCKETS by when they were placed."""
        open_statuses = (
            OrderStatus.AWAITING_REQUIREMENTS,
            OrderStatus.IN_PROGRESS,
            OrderStatus.DELIVERED,
            OrderStatus.DISPUTED,
        )
        row = (
            await session.execute(
                select(*_age_counts(Order.created_at, now)).where(Order.status.in_(open_statuses))
            )
        ).one()
        return [int(count) for count in row]

    async def late_count(self, session: AsyncSession, now: datetime) -> int:
        """Orders in progress past their due date."""
        return int(
            await session.scalar(
                select(func.count(Order.id)).where(
                    Order.status == OrderStatus.IN_PROGRESS, Order.due_at < now
                )
            )
            or 0
        )

    async def open_dispute_ages(self, session: AsyncSession, now: datetime) -> list[int]:
        row = (
            await session.execute(
                select(*_age_counts(Dispute.created_at, now)).where(
                    Dispute.status == DisputeStatus.OPEN
                )
            )
        ).one()
        return [int(count) for count in row]

    async def deliveries(self, session: AsyncSession, order_id: int) -> list[Delivery]:
        result = await session.scalars(
            select(Delivery).where(Delivery.order_id == order_id).order_by(Delivery.id)
        )
        return list(result)

    async def revisions(self, session: AsyncSession, order_id: int) -> list[RevisionRequest]:
        result = await session.scalars(
            select(RevisionRequest)
            .where(RevisionRequest.order_id == order_id)
            .order_by(RevisionRequest.id)
        )
        return list(result)

    async def delivery_file(
        self, session: AsyncSession, order_id: int, file_id: int
    ) -> DeliveryFile | None:
        return await session.scalar(
            select(DeliveryFile)
            .join(Delivery, Delivery.id == DeliveryFile.delivery_id)
            .where(DeliveryFile.id == file_id, Delivery.order_id == order_id)
        )

    async def review(self, session: AsyncSession, order_id: int) -> Review | None:
        return await session.scalar(select(Review).where(Review.order_id == order_id))

    async def public_reviews(
        self,
        session: AsyncSession,
        freelancer_id: int,
        gig_id: int | None,
        offset: int,
        limit: int,
    ) -> tuple[list[tuple[Review, OrderKind, str]], int]:
        """A freelancer's reviews (of one gig's orders, if given), newest first, each with how
        the order's work was made and the buyer's display name; and how many there are."""
        where = [Review.freelancer_user_id == freelancer_id]
        if gig_id is not None:
            where.append(Order.gig_id == gig_id)
        total = int(
            await session.scalar(
                select(func.count(Review.id)).join(Order, Order.id == Review.order_id).where(*where)
            )
            or 0
        )
        result = await session.execute(
            select(Review, Order.kind, User.display_name)
            .join(Order, Order.id == Review.order_id)
            .join(User, User.id == Order.buyer_user_id)
            .where(*where)
            .order_by(Review.created_at.desc(), Review.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [(review, kind, name) for review, kind, name in result], total

    async def due_for_auto_acceptance(self, session: AsyncSession, now: datetime) -> list[int]:
        result = await session.scalars(
            select(Order.id).where(
                Order.status == OrderStatus.DELIVERED, Order.auto_accept_at <= now
            )
        )
        return list(result)

    # ---- disputes ------------------------------------------------------------------------

    async def lock_dispute(self, session: AsyncSession, dispute_id: int) -> Dispute | None:
        return await session.scalar(
            select(Dispute)
            .where(Dispute.id == dispute_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def dispute(self, session: AsyncSession, dispute_id: int) -> Dispute | None:
        return await session.get(Dispute, dispute_id)

    async def latest_dispute(self, session: AsyncSession, order_id: int) -> Dispute | None:
        return await session.scalar(
            select(Dispute)
            .where(Dispute.order_id == order_id)
            .order_by(Dispute.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )

    async def disputes_of(self, session: AsyncSession, order_id: int) -> list[Dispute]:
        result = await session.scalars(
            select(Dispute).where(Dispute.order_id == order_id).order_by(Dispute.id)
        )
        return list(result)

    async def dispute_count(self, session: AsyncSession, status: DisputeStatus) -> int:
        return int(
            await session.scalar(select(func.count(Dispute.id)).where(Dispute.status == status))
            or 0
        )

    async def disputes(
        self, session: AsyncSession, status: DisputeStatus | None, offset: int, limit: int
    ) -> tuple[list[Dispute], int]:
        where = [] if status is None else [Dispute.status == status]
        total = int(await session.scalar(select(func.count(Dispute.id)).where(*where)) or 0)
        result = await session.scalars(
            select(Dispute)
            .where(*where)
            # Oldest open first: the queue an admin works through.
            .order_by(Dispute.created_at, Dispute.id)
            .offset(offset)
            .limit(limit)
        )
        return list(result), total


order_repository = OrderRepository()
