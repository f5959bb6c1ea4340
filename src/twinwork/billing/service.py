"""Wallets and card top-ups through the payment-provider port, recorded in the ledger."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.models import Payment
from twinwork.billing.provider import payment_provider
from twinwork.billing.repository import payment_repository
from twinwork.billing.schemas import TopUpIn
from twinwork.kit.errors import Conflict, DomainError
from twinwork.ledger.service import Leg, ledger_service

DEFAULT_CURRENCY = "USD"


class PaymentDeclined(DomainError):
    status_code = 402
    title = "Payment declined"
    type_slug = "payment-declined"


class WalletService:
    async def balance(
        self, session: AsyncSession, user: User, currency: str = DEFAULT_CURRENCY
    ) -> int:
        """Read-only: a wallet that was never used has no account yet and holds nothing."""
        wallet = await ledger_service.existing_account(session, "buyer_wallet", currency, user)
        return 0 if wallet is None else await ledger_service.balance(session, wallet)

    async def top_up(
        self, session: AsyncSession, user: User, body: TopUpIn, idempotency_key: str | None
    ) -> Payment:
        """Charge the card and credit the wallet, once per idempotency key."""
        key = f"top-up:{user.id}:{idempotency_key}" if idempotency_key else None
        if key is not None:
            existing = await payment_repository.by_idempotency_key(session, key)
            if existing is not None:
                return existing
        wallet = await ledger_service.account(session, "buyer_wallet", body.currency, user)
        clearing = await ledger_service.account(session, "payment_clearing", body.currency)
        provider = payment_provider()
        payment = Payment(
            user_id=user.id,
            amount=body.amount,
            currency=body.currency,
            provider=provider.name,
            card_last4=body.card_number[-4:],
            idempotency_key=key,
            status="pending",
        )
        try:
            async with session.begin_nested():
                await payment_repository.add(session, payment)
        except IntegrityError as exc:
            existing = await payment_repository.by_idempotency_key(session, key) if key else None
            if existing is None:
                raise Conflict("This top-up is being processed; retry in a moment.") from exc
            return existing
        # The provider gets the buyer's key too: if this transaction is lost after the card
        # was charged (crash, failed commit), the retry meets the provider's first answer
        # instead of a second charge.
        result = await provider.charge_card(
            body.card_number,
            body.amount,
            body.currency,
            f"twinwork wallet top-up {payment.id}",
            idempotency_key=key,
        )
        if not result.succeeded:
            # The request's rollback removes the pending row: nothing of it stays.
            raise PaymentDeclined(
                result.failure_message or "The card was declined.",
                field="card_number",
                code=result.failure_code,
            )
        transaction = await ledger_service.post(
            session,
            reason="top_up",
            reference_type="payment",
            reference_id=str(payment.id),
            legs=[Leg(clearing, -body.amount), Leg(wallet, body.amount)],
            idempotency_key=f"payment:{payment.id}",
            description=f"Card ending {payment.card_last4}",
        )
        payment.status = "succeeded"
        payment.external_id = result.external_id
        payment.ledger_transaction_id = transaction.id
        await session.flush()
        return payment


wallet_service = WalletService()
