from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.program.models import (
    LIVE_STATUSES,
    SUBSCRIPTION_STATUSES,
    ApplicationStatus,
    Invoice,
    InvoiceStatus,
    MembershipStatus,
    ProgramApplication,
    ProgramRules,
    ProgramSubscription,
)


class SubscriptionRepository:
    async def add(self, session: AsyncSession, subscription: ProgramSubscription) -> None:
        session.add(subscription)
        await session.flush()

    async def lock_user(self, session: AsyncSession, user_id: int) -> None:
        await session.execute(select(User.id).where(User.id == user_id).with_for_update())

    async def latest_for_user(
        self, session: AsyncSession, user_id: int
    ) -> ProgramSubscription | None:
        """The latest membership: sign-ups still pending or declined are none."""
        return await session.scalar(
            select(ProgramSubscription)
            .where(
                ProgramSubscription.user_id == user_id,
                ProgramSubscription.status.in_(SUBSCRIPTION_STATUSES),
            )
            .order_by(ProgramSubscription.id.desc())
            .limit(1)
        )

    async def by_request_key(
        self, session: AsyncSession, user_id: int, key: str
    ) -> ProgramSubscription | None:
        return await session.scalar(
            select(ProgramSubscription).where(
                ProgramSubscription.user_id == user_id, ProgramSubscription.request_key == key
            )
        )

    async def pending_for_user(
        self, session: AsyncSession, user_id: int
    ) -> ProgramSubscription | None:
        return await session.scalar(
            select(ProgramSubscription)
            .where(
                ProgramSubscription.user_id == user_id,
                ProgramSubscription.status == MembershipStatus.PENDING,
            )
            .limit(1)
        )

    async def get(self, session: AsyncSession, subscription_id: int) -> ProgramSubscription | None:
        return await session.get(ProgramSubscription, subscription_id, populate_existing=True)

    async def lock(self, session: AsyncSession, subscription_id: int) -> ProgramSubscription | None:
        return await session.scalar(
            select(ProgramSubscription)
            .where(ProgramSubscription.id == subscription_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def due_ids(self, session: AsyncSession, now: datetime) -> list[int]:
        """Active subscriptions whose period is over, and every one in its grace period."""
        result = await session.scalars(
            select(ProgramSubscription.id).where(
                or_(
                    and_(
                        ProgramSubscription.status == MembershipStatus.ACTIVE,
                        ProgramSubscription.current_period_end <= now,
                    ),
                    ProgramSubscription.status == MembershipStatus.PAST_DUE,
                )
            )
        )
        return list(result)

    async def invoice(self, session: AsyncSession, invoice_id: int) -> Invoice | None:
        return await session.get(Invoice, invoice_id, populate_existing=True)

    async def unrecorded_attempt_ids(
        self,
        session: AsyncSession,
        started_before: datetime,
        live_statuses: tuple[MembershipStatus, ...],
    ) -> list[int]:
        """Open invoices whose attempt was started before the cutoff and never recorded, of a
        subscription that is not live (a sign-up, or one that ended meanwhile): no renewal
        run looks at them again."""
        result = await session.scalars(
            select(Invoice.id)
            .join(ProgramSubscription, ProgramSubscription.id == Invoice.subscription_id)
            .where(
                Invoice.status == InvoiceStatus.OPEN,
                Invoice.attempts > 0,
                func.coalesce(Invoice.last_attempt_at, Invoice.created_at) < started_before,
                ProgramSubscription.status.not_in(live_statuses),
            )
        )
        return list(result)

    async def refunding_invoice_ids(self, session: AsyncSession) -> list[int]:
        """Refunds not yet confirmed by the provider, and not refused by it either."""
        result = await session.scalars(
            select(Invoice.id).where(
                Invoice.status == InvoiceStatus.REFUNDING, Invoice.failure_message.is_(None)
            )
        )
        return list(result)

    async def invoice_for_intent(
        self, session: AsyncSession, intent_id: str, charge_key: str | None
    ) -> Invoice | None:
        """The invoice a provider's PaymentIntent paid: by its id, or by the key we sent along
        in its metadata (an attempt whose answer was never recorded has no provider id)."""
        match = Invoice.external_id == intent_id
        if charge_key:
            match = or_(match, Invoice.charge_key == charge_key)
        return await session.scalar(select(Invoice).where(match).limit(1))

    async def invoice_for_period(
        self, session: AsyncSession, subscription_id: int, start: datetime
    ) -> Invoice | None:
        return await session.scalar(
            select(Invoice).where(
                Invoice.subscription_id == subscription_id, Invoice.period_start == start
            )
        )

    async def add_invoice(self, session: AsyncSession, invoice: Invoice) -> None:
        session.add(invoice)
        await session.flush()

    async def invoices_for_user(
        self, session: AsyncSession, user_id: int, limit: int = 36
    ) -> list[Invoice]:
        result = await session.scalars(
            select(Invoice)
            .where(Invoice.user_id == user_id)
            .order_by(Invoice.period_start.desc(), Invoice.id.desc())
            .limit(limit)
        )
        return list(result)


subscription_repository = SubscriptionRepository()


class AdmissionRepository:
    async def rules(self, session: AsyncSession, *, lock: bool = False) -> ProgramRules | None:
        query = select(ProgramRules).where(ProgramRules.id == 1)
        if lock:
            # Every grant of a seat locks this row first: two operators approving the last
            # seat at once are served one after the other, and the second counts the first.
            query = query.with_for_update()
        return await session.scalar(query.execution_options(populate_existing=True))

    async def add(self, session: AsyncSession, row: ProgramRules | ProgramApplication) -> None:
        session.add(row)
        await session.flush()

    async def seats_used(self, session: AsyncSession, now: datetime) -> int:
        """Live memberships, and admissions (approvals, invitations, waitlist offers) that
        still hold a seat to subscribe in."""
        members = await session.scalar(
            select(func.count(func.distinct(ProgramSubscription.user_id))).where(
                ProgramSubscription.status.in_(LIVE_STATUSES)
            )
        )
        held = await session.scalar(
            select(func.count(ProgramApplication.id)).where(
                ProgramApplication.status == ApplicationStatus.ADMITTED,
                ProgramApplication.seat_expires_at > now,
            )
        )
        return int(members or 0) + int(held or 0)

    async def open_for_user(
        self, session: AsyncSession, user_id: int, *, lock: bool = False
    ) -> ProgramApplication | None:
        query = select(ProgramApplication).where(ProgramApplication.open_key == user_id)
        if lock:
            query = query.with_for_update()
        return await session.scalar(query.execution_options(populate_existing=True))

    async def latest_for_user(
        self, session: AsyncSession, user_id: int
    ) -> ProgramApplication | None:
        return await session.scalar(
            select(ProgramApplication)
            .where(ProgramApplication.user_id == user_id)
            .order_by(ProgramApplication.created_at.desc(), ProgramApplication.id.desc())
            .limit(1)
        )

    async def lock(self, session: AsyncSession, application_id: int) -> ProgramApplication | None:
        return await session.scalar(
            select(ProgramApplication)
            .where(ProgramApplication.id == application_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def waitlist_position(
        self, session: AsyncSession, application: ProgramApplication
    ) -> int:
        """1 for the first in line: waitlisted earlier (ties by id) come first."""
        ahead = await session.scalar(
            select(func.count(ProgramApplication.id)).where(
                ProgramApplication.status == ApplicationStatus.WAITLISTED,
                or_(
                    ProgramApplication.created_at < application.created_at,
                    and_(
                        ProgramApplication.created_at == application.created_at,
                        ProgramApplication.id < application.id,
                    ),
                ),
            )
        )
        return int(ahead or 0) + 1

    async def first_waitlisted(self, session: AsyncSession, limit: int) -> list[ProgramApplication]:
        result = await session.scalars(
            select(ProgramApplication)
            .where(ProgramApplication.status == ApplicationStatus.WAITLISTED)
            .order_by(ProgramApplication.created_at, ProgramApplication.id)
            .limit(limit)
            .with_for_update()
        )
        return list(result)

    async def lapsed_admissions(
        self, session: AsyncSession, now: datetime
    ) -> list[ProgramApplication]:
        result = await session.scalars(
            select(ProgramApplication)
            .where(
                ProgramApplication.status == ApplicationStatus.ADMITTED,
                ProgramApplication.seat_expires_at <= now,
            )
            .with_for_update()
        )
        return list(result)

    async def page(
        self,
        session: AsyncSession,
        statuses: tuple[ApplicationStatus, ...],
        offset: int,
        limit: int,
    ) -> tuple[list[ProgramApplication], int]:
        where = ProgramApplication.status.in_(statuses)
        total = await session.scalar(select(func.count(ProgramApplication.id)).where(where))
        result = await session.scalars(
            select(ProgramApplication)
            .where(where)
            .order_by(ProgramApplication.created_at, ProgramApplication.id)
            .offset(offset)
            .limit(limit)
        )
        return list(result), int(total or 0)

    async def count_by_status(self, session: AsyncSession) -> dict[str, int]:
        rows = await session.execute(
            select(ProgramApplication.status, func.count(ProgramApplication.id)).group_by(
                ProgramApplication.status
            )
        )
        return {str(status): int(count) for status, count in rows.all()}


admission_repository = AdmissionRepository()
