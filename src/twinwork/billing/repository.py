from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.models import (
    SUBSCRIPTION_STATUSES,
    Invoice,
    Payment,
    Payout,
    ProgramSubscription,
)


class PaymentRepository:
    async def by_idempotency_key(self, session: AsyncSession, key: str) -> Payment | None:
        return await session.scalar(select(Payment).where(Payment.idempotency_key == key))

    async def add(self, session: AsyncSession, payment: Payment) -> None:
        session.add(payment)
        await session.flush()

    async def lock(self, session: AsyncSession, payment_id: int) -> Payment | None:
        return await session.scalar(
            select(Payment)
            .where(Payment.id == payment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def get(self, session: AsyncSession, payment_id: int) -> Payment | None:
        return await session.get(Payment, payment_id, populate_existing=True)

    async def for_user(self, session: AsyncSession, user_id: int, limit: int = 50) -> list[Payment]:
        result = await session.scalars(
            select(Payment)
            .where(Payment.user_id == user_id)
            .order_by(Payment.created_at.desc(), Payment.id.desc())
            .limit(limit)
        )
        return list(result)

    async def pending_ids(self, session: AsyncSession, older_than: datetime) -> list[int]:
        result = await session.scalars(
            select(Payment.id).where(Payment.status == "pending", Payment.created_at < older_than)
        )
        return list(result)


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
            .where(ProgramSubscription.user_id == user_id, ProgramSubscription.status == "pending")
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
                        ProgramSubscription.status == "active",
                        ProgramSubscription.current_period_end <= now,
                    ),
                    ProgramSubscription.status == "past_due",
                )
            )
        )
        return list(result)

    async def invoice(self, session: AsyncSession, invoice_id: int) -> Invoice | None:
        return await session.get(Invoice, invoice_id, populate_existing=True)

    async def unrecorded_attempt_ids(
        self, session: AsyncSession, started_before: datetime, live_statuses: tuple[str, ...]
    ) -> list[int]:
        """Open invoices whose attempt was started before the cutoff and never recorded, of a
        subscription that is not live (a sign-up, or one that ended meanwhile): no renewal
        run looks at them again."""
        result = await session.scalars(
            select(Invoice.id)
            .join(ProgramSubscription, ProgramSubscription.id == Invoice.subscription_id)
            .where(
                Invoice.status == "open",
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
                Invoice.status == "refunding", Invoice.failure_message.is_(None)
            )
        )
        return list(result)

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


class PayoutRepository:
    async def add(self, session: AsyncSession, payout: Payout) -> None:
        session.add(payout)
        await session.flush()

    async def by_request_key(self, session: AsyncSession, user_id: int, key: str) -> Payout | None:
        return await session.scalar(
            select(Payout).where(Payout.user_id == user_id, Payout.request_key == key)
        )

    async def lock(self, session: AsyncSession, payout_id: int) -> Payout | None:
        return await session.scalar(
            select(Payout)
            .where(Payout.id == payout_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def for_user(self, session: AsyncSession, user_id: int, limit: int = 50) -> list[Payout]:
        result = await session.scalars(
            select(Payout)
            .where(Payout.user_id == user_id)
            .order_by(Payout.created_at.desc(), Payout.id.desc())
            .limit(limit)
        )
        return list(result)

    async def unfinished_ids(self, session: AsyncSession, older_than: datetime) -> list[int]:
        result = await session.scalars(
            select(Payout.id).where(
                Payout.status.in_(("requested", "processing")), Payout.updated_at < older_than
            )
        )
        return list(result)


payment_repository = PaymentRepository()
payout_repository = PayoutRepository()
subscription_repository = SubscriptionRepository()
