"""The creation-program subscription: start, renew, grace, lapse, cancel, resume.

Every charge runs in three steps so a crash anywhere is safe: (1) the period's invoice is
written and committed, (2) the card is charged outside any transaction under the invoice's key,
(3) the result is recorded, once. Killed after (2), the next run repeats (2) with the same key,
which the provider answers with the first result, and then records it: one charge, one ledger
entry. The first period of a sign-up is no different: its subscription is committed "pending"
with the invoice, and becomes a membership only when the charge is recorded.

Where nothing new may be charged (the membership is ending, or a sign-up was left pending by a
request that died), an unrecorded attempt is not repeated but looked up at the provider. A
charge recorded after its membership ended is kept in the books and refunded, never used to
bring the membership back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.errors import PaymentDeclined
from twinwork.billing.provider import ChargeResult, payment_provider
from twinwork.billing.wallet.service import (
    NOT_CHARGED_AFTER,
    NOT_CHARGED_CODE,
    NOT_CHARGED_MESSAGE,
)
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, Forbidden, NotFound
from twinwork.kit.idempotency import card_fingerprint_part, ensure_same_request, request_fingerprint
from twinwork.kit.jobs import enqueue_after_commit
from twinwork.kit.public_ids import public_id
from twinwork.ledger.service import Leg, ledger_service
from twinwork.program.admission import admission_service
from twinwork.program.membership import membership_ended
from twinwork.program.models import (
    LIVE_STATUSES,
    Invoice,
    InvoiceStatus,
    MembershipStatus,
    ProgramSubscription,
)
from twinwork.program.repository import subscription_repository
from twinwork.program.waitlist import offer_freed_seats

RETRY_INTERVAL = timedelta(days=1)
SETTLED_INVOICE_STATUSES = (InvoiceStatus.PAID, InvoiceStatus.REFUNDING, InvoiceStatus.REFUNDED)


@dataclass(frozen=True)
class RenewalCharge:
    """What step (2) needs, read in step (1)."""

    subscription_id: int
    invoice_id: int
    charge_key: str
    card_token: str
    amount: int
    currency: str
    lookup_only: bool = False
    """Ask the provider what the attempt under ``charge_key`` did instead of charging: the
    membership is ending, or the sign-up's request died, so nothing new may be charged."""


@dataclass(frozen=True)
class Refund:
    """A charge to give back through the provider, once per key; the ledger has it already."""

    invoice_id: int
    external_id: str
    amount: int
    """In cents."""
    idempotency_key: str


@dataclass(frozen=True)
class RenewalOutcome:
    subscription_id: int
    user_id: int
    status: MembershipStatus
    """The subscription's status afterwards."""
    refund: Refund | None = None
    """A charge that arrived after its membership had ended, to refund after the commit."""


class SubscriptionService:
    # ---- membership ----------------------------------------------------------------------

    async def current(self, session: AsyncSession, user: User) -> ProgramSubscription | None:
        return await subscription_repository.latest_for_user(session, user.id)

    # ---- a freelancer's own actions ------------------------------------------------------

    async def start_subscription(
        self, session: AsyncSession, user: User, card_number: str, request_key: str | None
    ) -> RenewalCharge | ProgramSubscription:
        """Step (1) of a sign-up: commit a pending subscription and its first invoice, to be
        charged after the commit. A retry with the same key gets the sign-up it made: the
        charge to repeat under the same provider key while it is pending, else the row."""
        if not user.is_freelancer:
            raise Forbidden("The creation program is for freelancers. Become a seller first.")
        # Serialise a freelancer's sign-ups (a double-click on PostgreSQL): the second waits
        # here, then sees the first one's row.
        await subscription_repository.lock_user(session, user.id)
        fingerprint = request_fingerprint(card=card_fingerprint_part("".join(card_number.split())))
        if request_key is not None:
            earlier = await subscription_repository.by_request_key(session, user.id, request_key)
            if earlier is not None:
                ensure_same_request(earlier.request_fingerprint, fingerprint)
                return await self._repeat_or_answer(session, earlier)
        existing = await self.current(session, user)
        if existing is not None and existing.status in LIVE_STATUSES:
            hint = " Resume it instead." if existing.cancel_at_period_end else ""
            raise Conflict(f"You are already a member of the creation program.{hint}")
        if await subscription_repository.pending_for_user(session, user.id) is not None:
            raise Conflict("Your sign-up is being processed; try again in a few minutes.")
        now = utcnow()
        # Seats are limited: only a freelancer the program admitted may subscribe.
        await admission_service.require_admission(session, user, now)
        settings = get_settings()
        provider = payment_provider()
        card = await provider.save_card(card_number)
        subscription = ProgramSubscription(
            user_id=user.id,
            status=MembershipStatus.PENDING,
            amount=settings.program_price_amount,
            currency=settings.program_currency,
            provider=provider.name,
            card_token=card.token,
            card_last4=card.last4,
            request_key=request_key or uuid.uuid4().hex,
            request_fingerprint=fingerprint,
            current_period_start=now,
            current_period_end=now + timedelta(days=settings.program_period_days),
        )
        try:
            async with session.begin_nested():
                await subscription_repository.add(session, subscription)
        except IntegrityError as exc:
            earlier = await subscription_repository.by_request_key(
                session, user.id, subscription.request_key
            )
            if earlier is None:
                raise Conflict("Your sign-up is being processed; retry in a moment.") from exc
            ensure_same_request(earlier.request_fingerprint, fingerprint)
            return await self._repeat_or_answer(session, earlier)
        invoice = await self._open_invoice(session, subscription, now)
        invoice.attempts = 1
        invoice.last_attempt_at = now
        await session.flush()
        return self._charge_for(subscription, invoice)

    async def signed_up(self, session: AsyncSession, subscription_id: int) -> ProgramSubscription:
        """A sign-up's answer once recorded: the membership, or the decline as a 402."""
        subscription = await subscription_repository.get(session, subscription_id)
        assert subscription is not None
        if subscription.status == MembershipStatus.PENDING:
            raise Conflict("Your sign-up is being processed; try again in a few minutes.")
        if subscription.status == MembershipStatus.FAILED:
            invoice = await subscription_repository.invoice_for_period(
                session, subscription.id, subscription.current_period_start
            )
            if invoice is not None and invoice.status in SETTLED_INVOICE_STATUSES:
                raise PaymentDeclined(
                    "Your first payment arrived after this sign-up had been given up on, and "
                    "is refunded. Join again.",
                    field="card_number",
                )
            raise PaymentDeclined(
                (invoice.failure_message if invoice else None) or "The card was declined.",
                field="card_number",
                code=invoice.failure_code if invoice else None,
            )
        return subscription

    async def subscribe(
        self, session: AsyncSession, user: User, card_number: str, request_key: str | None = None
    ) -> ProgramSubscription:
        """All three steps of a sign-up in the caller's one transaction, for callers with no
        request to retry (the demo loader, on the sandbox). Requests commit between the steps
        instead (billing.routes), so a lost commit cannot hide a charge."""
        step = await self.start_subscription(session, user, card_number, request_key)
        if isinstance(step, ProgramSubscription):
            return await self.signed_up(session, step.id)
        await self.record_renewal(session, step, await self.charge(step), utcnow())
        return await self.signed_up(session, step.subscription_id)

    async def cancel(self, session: AsyncSession, user: User) -> ProgramSubscription:
        """Stop renewing; membership lasts to the end of the paid period (and ends at once,
        models switched off, while a renewal is unpaid)."""
        subscription = await self._live(session, user)
        if subscription.status == MembershipStatus.PAST_DUE:
            # Nothing was paid for the period that began; membership ends now.
            await self._end(session, subscription, MembershipStatus.ENDED, utcnow())
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
        if subscription.status == MembershipStatus.ACTIVE and subscription.current_period_end > now:
            return None
        ending = _ending_due(subscription, now)
        if ending is not None:
            started = await subscription_repository.invoice_for_period(
                session, subscription.id, subscription.current_period_end
            )
            if started is not None and _unrecorded(started):
                # An attempt began and was never recorded (its worker died, perhaps after
                # charging): learn what it did before ending, without charging anew.
                return self._charge_for(subscription, started, lookup_only=True)
            return await self._end(session, subscription, ending, now)
        invoice = await self._open_invoice(session, subscription, subscription.current_period_end)
        if invoice.status in SETTLED_INVOICE_STATUSES:
            return None
        if invoice.status == InvoiceStatus.FAILED:
            if invoice.last_attempt_at and now - invoice.last_attempt_at < RETRY_INTERVAL:
                return None  # retried once a day during the grace period
            invoice.status = InvoiceStatus.OPEN
            invoice.attempts += 1
            invoice.last_attempt_at = now  # when this attempt began, until it is recorded
        elif invoice.attempts == 0:
            invoice.attempts = 1
            invoice.last_attempt_at = now
        # else: an attempt was started and never recorded (the worker died after charging,
        # perhaps): repeat it under the same key, so the provider answers with its result.
        await session.flush()
        return self._charge_for(subscription, invoice)

    async def charge(self, charge: RenewalCharge) -> ChargeResult:
        """Step (2), outside any transaction."""
        number = f"I-{public_id('invoice', charge.invoice_id).upper()}"  # its receipt's number
        return await payment_provider().charge_saved_card(
            charge.card_token,
            charge.amount,
            charge.currency,
            f"twinwork creation program, invoice {number}",
            charge.charge_key,
        )

    async def charge_or_look_up(self, charge: RenewalCharge) -> ChargeResult | None:
        """Step (2), outside any transaction: the charge, or for ``lookup_only`` the answer
        the provider gave under the key (None: it made no charge)."""
        if charge.lookup_only:
            return await payment_provider().lookup(charge.charge_key)
        return await self.charge(charge)

    async def record_renewal(
        self,
        session: AsyncSession,
        charge: RenewalCharge,
        result: ChargeResult | None,
        now: datetime,
    ) -> RenewalOutcome:
        """Step (3): record the provider's answer, once, for a renewal or a first period.

        ``result`` None means the provider made no charge under the key (a lookup): the
        attempt fails as not charged once NOT_CHARGED_AFTER has passed since it began. A
        success is always recorded, the money being taken; it extends the membership only if
        the membership is live (or the sign-up pending), and is refunded otherwise."""
        subscription = await subscription_repository.lock(session, charge.subscription_id)
        invoice = await subscription_repository.invoice(session, charge.invoice_id)
        assert subscription is not None and invoice is not None
        if invoice.status in SETTLED_INVOICE_STATUSES:
            return self._outcome(subscription)
        if result is not None and result.succeeded:
            await self._post_payment(session, subscription, invoice, result, now)
            signing_up = subscription.status == MembershipStatus.PENDING
            if subscription.status in LIVE_STATUSES or signing_up:
                self._activate(subscription, invoice)
                if signing_up:  # the membership holds the seat from now on
                    await admission_service.joined(session, subscription.user_id, now)
                await session.flush()
                return self._outcome(subscription)
            # Cancelled, lapsed or given up on while the charge was in flight: keep the money
            # in the books and give it back, rather than revive a membership that ended.
            refund = await self._reverse(session, invoice)
            await session.flush()
            return self._outcome(subscription, refund)
        if invoice.status != InvoiceStatus.OPEN:
            return self._outcome(subscription)  # failed already: a late answer changes nothing
        if result is None:
            started = invoice.last_attempt_at or invoice.created_at
            if now - started < NOT_CHARGED_AFTER:
                return self._outcome(subscription)  # it may be under way still
            invoice.failure_code, invoice.failure_message = NOT_CHARGED_CODE, NOT_CHARGED_MESSAGE
        else:
            invoice.failure_code = (result.failure_code or "card_declined")[:40]
            invoice.failure_message = (result.failure_message or "Declined")[:300]
        invoice.status = InvoiceStatus.FAILED
        invoice.last_attempt_at = now
        if subscription.status == MembershipStatus.PENDING:
            subscription.status = (
                MembershipStatus.FAILED
            )  # no membership: the freelancer may try another card
            subscription.ended_at = now
        elif subscription.status in LIVE_STATUSES:
            ending = _ending_due(subscription, now)
            if ending is not None:
                return await self._end(session, subscription, ending, now)
            if subscription.status == MembershipStatus.ACTIVE:
                subscription.status = MembershipStatus.PAST_DUE
                subscription.grace_until = invoice.period_start + timedelta(
                    days=get_settings().program_grace_days
                )
        await session.flush()
        return self._outcome(subscription)

    # ---- charges nobody came back for, and refunds (the periodic job) --------------------

    async def unrecorded_attempts(
        self, session: AsyncSession, started_before: datetime
    ) -> list[int]:
        """Invoices of pending sign-ups, or of memberships that ended meanwhile, whose attempt
        was started before the cutoff and never recorded."""
        return await subscription_repository.unrecorded_attempt_ids(
            session, started_before, LIVE_STATUSES
        )

    async def prepare_lookup(self, session: AsyncSession, invoice_id: int) -> RenewalCharge | None:
        """Step (1) for such an invoice: what to ask the provider about, if still unrecorded."""
        invoice = await subscription_repository.invoice(session, invoice_id)
        if invoice is None or not _unrecorded(invoice):
            return None
        subscription = await subscription_repository.get(session, invoice.subscription_id)
        if subscription is None or subscription.status in LIVE_STATUSES:
            return None  # the renewal job repeats a live membership's attempts itself
        return self._charge_for(subscription, invoice, lookup_only=True)

    async def refunds_due(self, session: AsyncSession) -> list[Refund]:
        """Refunds posted in the ledger whose provider call was never confirmed."""
        refunds = []
        for invoice_id in await subscription_repository.refunding_invoice_ids(session):
            invoice = await subscription_repository.invoice(session, invoice_id)
            assert invoice is not None
            refunds.append(_refund_of(invoice))
        return refunds

    async def refund(self, refund: Refund) -> ChargeResult:
        """Outside any transaction, once per key."""
        return await payment_provider().refund(
            refund.external_id, refund.amount, refund.idempotency_key
        )

    async def record_refund(
        self, session: AsyncSession, refund: Refund, result: ChargeResult
    ) -> Invoice:
        invoice = await subscription_repository.invoice(session, refund.invoice_id)
        assert invoice is not None
        if invoice.status == InvoiceStatus.REFUNDING:
            if result.succeeded:
                invoice.status = InvoiceStatus.REFUNDED
            else:
                # Refused (not merely unreachable, which raises): asking again under the same
                # key would meet the same answer. It stays "refunding", with the reason, for
                # an operator; the job leaves it alone.
                invoice.failure_message = (result.failure_message or "Refund refused")[:300]
            await session.flush()
        return invoice

    # ---- shared steps --------------------------------------------------------------------

    async def _open_invoice(
        self,
        session: AsyncSession,
        subscription: ProgramSubscription,
        start: datetime,
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
            status=InvoiceStatus.OPEN,
            charge_key=f"inv_{uuid.uuid4().hex}",
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

    async def _repeat_or_answer(
        self, session: AsyncSession, subscription: ProgramSubscription
    ) -> RenewalCharge | ProgramSubscription:
        if subscription.status == MembershipStatus.PENDING:
            invoice = await subscription_repository.invoice_for_period(
                session, subscription.id, subscription.current_period_start
            )
            if invoice is not None and _unrecorded(invoice):
                return self._charge_for(subscription, invoice)
        return subscription

    @staticmethod
    def _charge_for(
        subscription: ProgramSubscription, invoice: Invoice, *, lookup_only: bool = False
    ) -> RenewalCharge:
        return RenewalCharge(
            subscription.id,
            invoice.id,
            attempt_key(invoice),
            subscription.card_token,
            invoice.amount,
            invoice.currency,
            lookup_only=lookup_only,
        )

    @staticmethod
    def _outcome(subscription: ProgramSubscription, refund: Refund | None = None) -> RenewalOutcome:
        return RenewalOutcome(subscription.id, subscription.user_id, subscription.status, refund)

    async def _post_payment(
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
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = now
        invoice.last_attempt_at = now
        invoice.external_id = result.external_id
        invoice.failure_code = invoice.failure_message = None
        invoice.ledger_transaction_id = transaction.id

    @staticmethod
    def _activate(subscription: ProgramSubscription, invoice: Invoice) -> None:
        subscription.status = MembershipStatus.ACTIVE
        subscription.grace_until = None
        subscription.ended_at = None
        subscription.current_period_start = invoice.period_start
        subscription.current_period_end = invoice.period_end

    async def _reverse(self, session: AsyncSession, invoice: Invoice) -> Refund:
        """The ledger side of a refund, posted with the payment; the provider's follows."""
        clearing = await ledger_service.account(session, "payment_clearing", invoice.currency)
        revenue = await ledger_service.account(session, "platform_revenue", invoice.currency)
        refund = _refund_of(invoice)
        await ledger_service.post(
            session,
            reason="program_refund",
            reference_type="invoice",
            reference_id=str(invoice.id),
            legs=[Leg(revenue, -invoice.amount), Leg(clearing, invoice.amount)],
            idempotency_key=refund.idempotency_key,
            description="Refund: paid after the membership had ended",
        )
        invoice.status = InvoiceStatus.REFUNDING
        return refund

    async def _end(
        self,
        session: AsyncSession,
        subscription: ProgramSubscription,
        status: MembershipStatus,
        now: datetime,
    ) -> RenewalOutcome:
        """End the membership and switch its owner's models off (never erase them) in the
        same unit of work: no crash can leave a lapsed member's models selling."""
        subscription.status = status
        subscription.ended_at = now
        subscription.cancel_at_period_end = False
        await membership_ended(session, subscription.user_id)
        # The seat goes back, and to the next on the waitlist once this is committed.
        await admission_service.left(session, subscription.user_id, now)
        enqueue_after_commit(session, offer_freed_seats)
        await session.flush()
        return self._outcome(subscription)


def _ending_due(subscription: ProgramSubscription, now: datetime) -> MembershipStatus | None:
    """The status a live membership ends with now, if it ends now."""
    if (
        subscription.status == MembershipStatus.ACTIVE
        and subscription.cancel_at_period_end
        and subscription.current_period_end <= now
    ):
        return MembershipStatus.ENDED
    if (
        subscription.status == MembershipStatus.PAST_DUE
        and subscription.grace_until is not None
        and subscription.grace_until <= now
    ):
        return MembershipStatus.LAPSED
    return None


def _unrecorded(invoice: Invoice) -> bool:
    """An attempt was started (and perhaps charged) and its answer never recorded."""
    return invoice.status == InvoiceStatus.OPEN and invoice.attempts > 0


def _refund_of(invoice: Invoice) -> Refund:
    assert invoice.external_id is not None
    return Refund(invoice.id, invoice.external_id, invoice.amount, f"{invoice.charge_key}-refund")


def attempt_key(invoice: Invoice) -> str:
    """One provider idempotency key per attempt: a retry with a new card must reach the card
    network, while a repeat of the same attempt must not."""
    return f"{invoice.charge_key}-{invoice.attempts}"


subscription_service = SubscriptionService()
