"""The creation-program subscription: start, renew, grace, lapse, cancel, resume.

A renewal runs in three steps so a crash anywhere is safe: (1) the period's invoice is written
and committed, (2) the card is charged outside any transaction under the invoice's key, (3) the
result is recorded, once. Killed after (2), the next run repeats (2) with the same key, which
the provider answers with the first result, and then records it: one charge, one ledger entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.models import Invoice, ProgramSubscription
from twinwork.billing.provider import ChargeResult, payment_provider
from twinwork.billing.repository import subscription_repository
from twinwork.billing.service import PaymentDeclined
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, DomainError, Forbidden, NotFound
from twinwork.ledger.service import Leg, ledger_service

LIVE_STATUSES = ("active", "past_due")
RETRY_INTERVAL = timedelta(days=1)


class ProgramRequired(DomainError):
    status_code = 402
    title = "Creation program membership required"
    type_slug = "program-required"


@dataclass(frozen=True)
class RenewalCharge:
    """What step (2) needs, read in step (1)."""

    subscription_id: int
    invoice_id: int
    charge_key: str
    card_token: str
    amount: int
    currency: str


@dataclass(frozen=True)
class RenewalOutcome:
    subscription_id: int
    user_id: int
    status: str
    """The subscription's status afterwards."""


class SubscriptionService:
    # ---- membership ----------------------------------------------------------------------

    async def current(self, session: AsyncSession, user: User) -> ProgramSubscription | None:
        return await subscription_repository.latest_for_user(session, user.id)

    async def is_member(self, session: AsyncSession, user_id: int) -> bool:
        subscription = await subscription_repository.latest_for_user(session, user_id)
        return subscription is not None and subscription.status in LIVE_STATUSES

    async def require_member(self, session: AsyncSession, user: User, to: str) -> None:
        if not await self.is_member(session, user.id):
            settings = get_settings()
            price = f"${settings.program_price_amount / 100:g}"
            raise ProgramRequired(
                f"Join the creation program ({price} a month) to {to}. "
                "Your portfolio and models are kept while you are not a member.",
                join_url="/dashboard/program",
            )

    # ---- a freelancer's own actions ------------------------------------------------------

    async def subscribe(
        self, session: AsyncSession, user: User, card_number: str
    ) -> ProgramSubscription:
        if not user.is_freelancer:
            raise Forbidden("The creation program is for freelancers. Become a seller first.")
        # Serialise a freelancer's sign-ups (a double-click on PostgreSQL): the second waits
        # here, then sees the first one's membership.
        await subscription_repository.lock_user(session, user.id)
        existing = await self.current(session, user)
        if existing is not None and existing.status in LIVE_STATUSES:
            hint = " Resume it instead." if existing.cancel_at_period_end else ""
            raise Conflict(f"You are already a member of the creation program.{hint}")
        settings = get_settings()
        provider = payment_provider()
        card = await provider.save_card(card_number)
        now = utcnow()
        charge_key = f"inv_{uuid.uuid4().hex}"
        # The first period is charged before anything is written: a declined card leaves no
        # row behind, not even in this transaction (the page shows the form again from it).
        result = await provider.charge_saved_card(
            card.token,
            settings.program_price_amount,
            settings.program_currency,
            "twinwork creation program, first period",
            f"{charge_key}-1",
        )
        if not result.succeeded:
            raise PaymentDeclined(
                result.failure_message or "The card was declined.",
                field="card_number",
                code=result.failure_code,
            )
        subscription = ProgramSubscription(
            user_id=user.id,
            status="active",
            amount=settings.program_price_amount,
            currency=settings.program_currency,
            provider=provider.name,
            card_token=card.token,
            card_last4=card.last4,
            current_period_start=now,
            current_period_end=now + timedelta(days=settings.program_period_days),
        )
        await subscription_repository.add(session, subscription)
        invoice = await self._open_invoice(session, subscription, now, charge_key=charge_key)
        invoice.attempts = 1
        invoice.last_attempt_at = now
        await self._record_paid(session, subscription, invoice, result, now)
        return subscription

    async def cancel(self, session: AsyncSession, user: User) -> ProgramSubscription:
        """Stop renewing; membership lasts to the end of the paid period."""
        subscription = await self._live(session, user)
        if subscription.status == "past_due":
            # Nothing was paid for the period that began; membership ends now.
            await self._end(session, subscription, "ended", utcnow())
        else:
            subscription.cancel_at_period_end = True
        await session.flush()
        return subscription

    async def resume(self, session: AsyncSession, user: User) -> ProgramSubscription:
        subscription = await self._live(session, user)
        if not subscription.cancel_at_period_end:
            raise Conflict("Your membership is not cancelled; there is nothing to resume.")
        subscription.cancel_at_period_end = False
        await session.flush()
        return subscription

    async def update_card(
        self, session: AsyncSession, user: User, card_number: str
    ) -> ProgramSubscription:
        subscription = await self._live(session, user)
        card = await payment_provider().save_card(card_number)
        subscription.card_token, subscription.card_last4 = card.token, card.last4
        await session.flush()
        return subscription

    async def invoices(self, session: AsyncSession, user: User) -> list[Invoice]:
        return await subscription_repository.invoices_for_user(session, user.id)

    async def _live(self, session: AsyncSession, user: User) -> ProgramSubscription:
        subscription = await self.current(session, user)
        if subscription is None or subscription.status not in LIVE_STATUSES:
            raise NotFound("You have no current creation-program membership.")
        locked = await subscription_repository.lock(session, subscription.id)
        assert locked is not None
        return locked

    # ---- renewals (the periodic job) -----------------------------------------------------

    async def due(self, session: AsyncSession, now: datetime) -> list[int]:
        return await subscription_repository.due_ids(session, now)

    async def prepare_renewal(
        self, session: AsyncSession, subscription_id: int, now: datetime
    ) -> RenewalCharge | RenewalOutcome | None:
        """Step (1): end what must end, or commit the invoice to charge."""
        subscription = await subscription_repository.lock(session, subscription_id)
        if subscription is None or subscription.status not in LIVE_STATUSES:
            return None
        if subscription.status == "active":
            if subscription.current_period_end > now:
                return None
            if subscription.cancel_at_period_end:
                return await self._end(session, subscription, "ended", now)
        elif subscription.grace_until is not None and subscription.grace_until <= now:
            return await self._end(session, subscription, "lapsed", now)
        invoice = await self._open_invoice(session, subscription, subscription.current_period_end)
        if invoice.status == "paid":
            return None
        if invoice.status == "failed":
            if invoice.last_attempt_at and now - invoice.last_attempt_at < RETRY_INTERVAL:
                return None  # retried once a day during the grace period
            invoice.status = "open"
            invoice.attempts += 1
        elif invoice.attempts == 0:
            invoice.attempts = 1
        # else: an attempt was started and never recorded (the worker died after charging,
        # perhaps): repeat it under the same key, so the provider answers with its result.
        await session.flush()
        return RenewalCharge(
            subscription.id,
            invoice.id,
            attempt_key(invoice),
            subscription.card_token,
            invoice.amount,
            invoice.currency,
        )

    async def charge(self, charge: RenewalCharge) -> ChargeResult:
        """Step (2), outside any transaction."""
        return await payment_provider().charge_saved_card(
            charge.card_token,
            charge.amount,
            charge.currency,
            f"twinwork creation program, invoice {charge.invoice_id}",
            charge.charge_key,
        )

    async def record_renewal(
        self, session: AsyncSession, charge: RenewalCharge, result: ChargeResult, now: datetime
    ) -> RenewalOutcome:
        """Step (3): record the provider's answer, once."""
        subscription = await subscription_repository.lock(session, charge.subscription_id)
        invoice = await subscription_repository.invoice(session, charge.invoice_id)
        assert subscription is not None and invoice is not None
        if invoice.status == "paid":
            return RenewalOutcome(subscription.id, subscription.user_id, subscription.status)
        invoice.last_attempt_at = now
        if result.succeeded:
            await self._record_paid(session, subscription, invoice, result, now)
        else:
            invoice.status = "failed"
            invoice.failure_message = (result.failure_message or "Declined")[:300]
            if subscription.status == "active":
                subscription.status = "past_due"
                subscription.grace_until = invoice.period_start + timedelta(
                    days=get_settings().program_grace_days
                )
        await session.flush()
        return RenewalOutcome(subscription.id, subscription.user_id, subscription.status)

    # ---- shared steps --------------------------------------------------------------------

    async def _open_invoice(
        self,
        session: AsyncSession,
        subscription: ProgramSubscription,
        start: datetime,
        *,
        charge_key: str | None = None,
    ) -> Invoice:
        existing = await subscription_repository.invoice_for_period(session, subscription.id, start)
        if existing is not None:
            return existing
        invoice = Invoice(
            subscription_id=subscription.id,
            user_id=subscription.user_id,
            period_start=start,
            period_end=start + timedelta(days=get_settings().program_period_days),
            amount=subscription.amount,
            currency=subscription.currency,
            status="open",
            charge_key=charge_key or f"inv_{uuid.uuid4().hex}",
        )
        try:
            async with session.begin_nested():
                await subscription_repository.add_invoice(session, invoice)
        except IntegrityError:
            found = await subscription_repository.invoice_for_period(
                session, subscription.id, start
            )
            assert found is not None
            return found
        return invoice

    async def _record_paid(
        self,
        session: AsyncSession,
        subscription: ProgramSubscription,
        invoice: Invoice,
        result: ChargeResult,
        now: datetime,
    ) -> None:
        clearing = await ledger_service.account(session, "payment_clearing", invoice.currency)
        revenue = await ledger_service.account(session, "platform_revenue", invoice.currency)
        transaction = await ledger_service.post(
            session,
            reason="program_subscription",
            reference_type="invoice",
            reference_id=str(invoice.id),
            legs=[Leg(clearing, -invoice.amount), Leg(revenue, invoice.amount)],
            idempotency_key=invoice.charge_key,  # one ledger entry per invoice, whatever attempt
            description=f"Creation program, card ending {subscription.card_last4}",
        )
        invoice.status = "paid"
        invoice.paid_at = now
        invoice.external_id = result.external_id
        invoice.failure_message = None
        invoice.ledger_transaction_id = transaction.id
        subscription.status = "active"
        subscription.grace_until = None
        subscription.current_period_start = invoice.period_start
        subscription.current_period_end = invoice.period_end
        await session.flush()

    async def _end(
        self, session: AsyncSession, subscription: ProgramSubscription, status: str, now: datetime
    ) -> RenewalOutcome:
        subscription.status = status
        subscription.ended_at = now
        subscription.cancel_at_period_end = False
        await session.flush()
        return RenewalOutcome(subscription.id, subscription.user_id, status)


def attempt_key(invoice: Invoice) -> str:
    """One provider idempotency key per attempt: a retry with a new card must reach the card
    network, while a repeat of the same attempt must not."""
    return f"{invoice.charge_key}-{invoice.attempts}"


subscription_service = SubscriptionService()
