"""Wallets and card top-ups through the payment-provider port, recorded in the ledger.

A top-up runs in three steps, like a renewal, so that no charge is ever made without a row
that knows about it: (1) the payment is written "pending" under a random provider key and
committed, (2) the card is charged outside any transaction under that key, (3) the answer is
recorded once: succeeded (the wallet is credited) or failed (the decline, kept as the record of
the attempt). A request that dies after (1) leaves the payment pending; the buyer's retry with
the same Idempotency-Key repeats (2) under the same key, which the provider answers with its
first result, and a periodic job asks the provider what happened (``lookup``) for the ones
nobody retries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.errors import PaymentDeclined
from twinwork.billing.models import Payment, PaymentStatus
from twinwork.billing.provider import ChargeResult, payment_provider
from twinwork.billing.schemas import TopUpIn
from twinwork.billing.wallet.repository import payment_repository
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict
from twinwork.kit.idempotency import card_fingerprint_part, ensure_same_request, request_fingerprint
from twinwork.kit.public_ids import public_id
from twinwork.ledger.service import Leg, ledger_service

DEFAULT_CURRENCY = "USD"
NOT_CHARGED_AFTER = timedelta(minutes=15)
"""A pending charge the provider has no trace of this long after it began was never made: no
request waits that long for a card network, so none can still be making it."""
NOT_CHARGED_CODE = "not_charged"
NOT_CHARGED_MESSAGE = "The payment did not go through and your card was not charged. Try again."


@dataclass(frozen=True)
class TopUpCharge:
    """What step (2) needs, read in step (1). The card number lives only here, in memory."""

    payment_id: int
    charge_key: str
    card_number: str
    amount: int
    """In cents."""
    currency: str


def top_up_fingerprint(body: TopUpIn) -> str:
    return request_fingerprint(
        amount=body.amount, currency=body.currency, card=card_fingerprint_part(body.card_number)
    )


class WalletService:
    async def balance(
        self, session: AsyncSession, user: User, currency: str = DEFAULT_CURRENCY
    ) -> int:
        """Read-only: a wallet that was never used has no account yet and holds nothing."""
        wallet = await ledger_service.existing_account(session, "buyer_wallet", currency, user)
        return 0 if wallet is None else await ledger_service.balance(session, wallet)

    async def payments(self, session: AsyncSession, user: User) -> list[Payment]:
        """The buyer's card payments, declined ones included, newest first."""
        return await payment_repository.for_user(session, user.id)

    # ---- a top-up, in three steps --------------------------------------------------------

    async def start_top_up(
        self, session: AsyncSession, user: User, body: TopUpIn, idempotency_key: str | None
    ) -> TopUpCharge | Payment:
        """Step (1): write the pending payment, to be committed before the charge. A retry
        with the same key gets the recorded payment, or, while it is still pending (its
        request died, or is still running), the charge to repeat under the same provider key."""
        key = f"top-up:{user.id}:{idempotency_key}" if idempotency_key else None
        fingerprint = top_up_fingerprint(body)
        if key is not None:
            existing = await payment_repository.by_idempotency_key(session, key)
            if existing is not None:
                ensure_same_request(existing.request_fingerprint, fingerprint)
                return self._repeat_or_answer(existing, body.card_number)
        payment = Payment(
            user_id=user.id,
            amount=body.amount,
            currency=body.currency,
            provider=payment_provider().name,
            # A Stripe PaymentMethod id has no digits to show: the provider tells them later.
            card_last4="" if body.card_number.startswith("pm_") else body.card_number[-4:],
            idempotency_key=key,
            request_fingerprint=fingerprint,
            charge_key=f"pay_{uuid.uuid4().hex}",
            status=PaymentStatus.PENDING,
        )
        try:
            async with session.begin_nested():
                await payment_repository.add(session, payment)
        except IntegrityError as exc:
            existing = await payment_repository.by_idempotency_key(session, key) if key else None
            if existing is None:
                raise Conflict("This top-up is being processed; retry in a moment.") from exc
            ensure_same_request(existing.request_fingerprint, fingerprint)
            return self._repeat_or_answer(existing, body.card_number)
        return self._charge_for(payment, body.card_number)

    async def charge(self, charge: TopUpCharge) -> ChargeResult:
        """Step (2), outside any transaction."""
        return await payment_provider().charge_card(
            charge.card_number,
            charge.amount,
            charge.currency,
            f"twinwork wallet top-up P-{public_id('payment', charge.payment_id).upper()}",
            idempotency_key=charge.charge_key,
        )

    async def record_top_up(
        self,
        session: AsyncSession,
        payment_id: int,
        result: ChargeResult | None,
        now: datetime,
    ) -> Payment:
        """Step (3), once: a success credits the wallet, a decline is kept as "failed".

        ``result`` None means the provider has no charge under the key (``lookup``): the
        payment fails as not charged once NOT_CHARGED_AFTER has passed, and stays pending
        before. A success met after a failure (a charge that landed after it was given up
        on) is still credited: the money was taken, so it goes to the wallet."""
        payment = await payment_repository.lock(session, payment_id)
        assert payment is not None
        if payment.status == PaymentStatus.SUCCEEDED:
            return payment
        if result is not None and result.succeeded:
            await self._credit(session, payment, result)
        elif payment.status == PaymentStatus.PENDING:
            if result is None:
                if now - payment.created_at < NOT_CHARGED_AFTER:
                    return payment
                payment.failure_code, payment.failure_message = (
                    NOT_CHARGED_CODE,
                    NOT_CHARGED_MESSAGE,
                )
            else:
                payment.external_id = result.external_id or None  # unique: never an empty string
                payment.failure_code = (result.failure_code or "card_declined")[:40]
                payment.failure_message = (result.failure_message or "The card was declined.")[:300]
            payment.status = PaymentStatus.FAILED
        await session.flush()
        return payment

    def raise_if_declined(self, payment: Payment) -> None:
        """What the buyer hears about a failed payment, now or on a retry of its key."""
        if payment.status == PaymentStatus.FAILED:
            raise PaymentDeclined(
                payment.failure_message or "The card was declined.",
                field="card_number",
                code=payment.failure_code,
            )

    async def top_up_in_one_unit(
        self, session: AsyncSession, user: User, body: TopUpIn, idempotency_key: str | None
    ) -> Payment:
        """The three steps in the caller's one unit of work, for setup code (demo data,
        tests): the charge then runs inside that transaction, so a crash there is not covered.
        Requests use ``billing.wallet.top_up.top_up_by_card``, which commits between the steps."""
        step = await self.start_top_up(session, user, body, idempotency_key)
        if isinstance(step, TopUpCharge):
            result = await self.charge(step)
            step = await self.record_top_up(session, step.payment_id, result, utcnow())
        self.raise_if_declined(step)
        return step

    # ---- pending payments nobody came back for (the periodic job) ------------------------

    async def stuck(self, session: AsyncSession, older_than: datetime) -> list[int]:
        return await payment_repository.pending_ids(session, older_than)

    async def charge_key_if_pending(self, session: AsyncSession, payment_id: int) -> str | None:
        payment = await payment_repository.get(session, payment_id)
        return (
            payment.charge_key
            if payment is not None and payment.status == PaymentStatus.PENDING
            else None
        )

    async def lookup(self, charge_key: str) -> ChargeResult | None:
        """Outside any transaction: what the provider answered under the key, if it charged.
        Without the card number a job cannot repeat the charge, and must not make one."""
        return await payment_provider().lookup(charge_key)

    # ---- shared steps --------------------------------------------------------------------

    def _repeat_or_answer(self, payment: Payment, card_number: str) -> TopUpCharge | Payment:
        if payment.status == PaymentStatus.PENDING:
            return self._charge_for(payment, card_number)
        return payment

    @staticmethod
    def _charge_for(payment: Payment, card_number: str) -> TopUpCharge:
        # The amount is the row's: a retry repeats the first request's charge.
        return TopUpCharge(
            payment.id, payment.charge_key, card_number, payment.amount, payment.currency
        )

    async def _credit(self, session: AsyncSession, payment: Payment, result: ChargeResult) -> None:
        owner = await session.get(User, payment.user_id)
        assert owner is not None
        wallet = await ledger_service.account(session, "buyer_wallet", payment.currency, owner)
        clearing = await ledger_service.account(session, "payment_clearing", payment.currency)
        transaction = await ledger_service.post(
            session,
            reason="top_up",
            reference_type="payment",
            reference_id=str(payment.id),
            legs=[Leg(clearing, -payment.amount), Leg(wallet, payment.amount)],
            idempotency_key=f"payment:{payment.id}",
            description=f"Card ending {payment.card_last4}",
        )
        payment.status = PaymentStatus.SUCCEEDED
        payment.external_id = result.external_id or None  # unique: never an empty string
        if result.card_last4:
            payment.card_last4 = result.card_last4
        payment.failure_code = payment.failure_message = None
        payment.ledger_transaction_id = transaction.id


wallet_service = WalletService()
