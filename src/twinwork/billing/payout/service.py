"""A freelancer's earnings: pending after a sale, available after the clearing period, then
paid out to a bank account through the provider port.

A payout runs in three steps, like a renewal: the request moves the money from available to
"in transit" in the ledger; a job marks the payout processing, transfers outside any
transaction under the payout's key, and records the answer once. A failed transfer returns the
money to available. A job killed mid-way is run again and repeats the transfer under the same
key, which the provider answers with its first result.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.errors import PayoutRefused
from twinwork.billing.models import Payout, PayoutStatus
from twinwork.billing.payout.repository import payout_repository
from twinwork.billing.provider import SANDBOX_BANK_ACCOUNT, ChargeResult, payment_provider
from twinwork.billing.sale import SALE_REASONS
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, Forbidden, ValidationFailed
from twinwork.kit.idempotency import ensure_same_request, request_fingerprint
from twinwork.kit.money import format_amount
from twinwork.kit.public_ids import public_id
from twinwork.ledger.repository import clearing_repository
from twinwork.ledger.service import InsufficientFunds, Leg, ledger_service, owner_key
from twinwork.notify.models import NotificationKind
from twinwork.notify.service import notify

CURRENCY = "USD"
# A Stripe Connect account id: where Stripe pays a freelancer out (see stripe_provider).
CONNECTED_ACCOUNT_ID = re.compile(r"acct_[A-Za-z0-9]{1,29}")


@dataclass(frozen=True)
class Earnings:
    pending_amount: int
    available_amount: int
    in_transit_amount: int
    currency: str


@dataclass(frozen=True)
class Transfer:
    payout_id: int
    bank_account: str
    amount: int
    currency: str
    transfer_key: str


class EarningsService:
    async def balances(self, session: AsyncSession, user: User) -> Earnings:
        """Read-only: accounts that were never used hold nothing."""
        amounts: dict[str, int] = {}
        for kind in ("freelancer_pending", "freelancer_available", "payouts_in_transit"):
            account = await ledger_service.existing_account(session, kind, CURRENCY, user)
            amounts[kind] = 0 if account is None else await ledger_service.balance(session, account)
        return Earnings(
            pending_amount=amounts["freelancer_pending"],
            available_amount=amounts["freelancer_available"],
            in_transit_amount=amounts["payouts_in_transit"],
            currency=CURRENCY,
        )

    async def withdrawable(self, session: AsyncSession, user: User, balances: Earnings) -> int:
        """What a payout could take now, in cents: the available balance (of ``balances``,
        read by the caller) and the pending earnings past their clearing period (a payout
        request clears those first)."""
        cutoff = utcnow() - timedelta(days=get_settings().earnings_clearing_days)
        due = await clearing_repository.uncleared_earnings(
            session, SALE_REASONS, cutoff, owner_key(user)
        )
        return balances.available_amount + sum(amount for _, _, amount, _ in due)

    async def clear_due(
        self, session: AsyncSession, now: datetime, user: User | None = None
    ) -> int:
        """Move earnings older than the clearing period from pending to available; one
        clearing transaction per sale, keyed by it, so running this twice moves nothing."""
        cutoff = now - timedelta(days=get_settings().earnings_clearing_days)
        rows = await clearing_repository.uncleared_earnings(
            session, SALE_REASONS, cutoff, owner_key(user) if user else None
        )
        for transaction_id, owner_id, amount, currency in rows:
            owner = user if user is not None else await session.get(User, owner_id)
            assert owner is not None
            pending = await ledger_service.account(session, "freelancer_pending", currency, owner)
            available = await ledger_service.account(
                session, "freelancer_available", currency, owner
            )
            await ledger_service.post(
                session,
                reason="earnings_cleared",
                reference_type="ledger_transaction",
                reference_id=str(transaction_id),
                legs=[Leg(pending, -amount), Leg(available, amount)],
                idempotency_key=f"clearing:{transaction_id}",
                description="Earnings cleared",
            )
        return len(rows)

    # ---- payouts -------------------------------------------------------------------------

    async def request_payout(
        self,
        session: AsyncSession,
        user: User,
        amount: int,
        bank_account: str | None,
        request_key: str | None,
    ) -> Payout:
        if not user.is_freelancer:
            raise Forbidden("Payouts are for freelancers.")
        fingerprint = request_fingerprint(amount=amount, bank_account=bank_account)
        if request_key is not None:
            earlier = await payout_repository.by_request_key(session, user.id, request_key)
            if earlier is not None:
                ensure_same_request(earlier.request_fingerprint, fingerprint)
                return earlier
        minimum = get_settings().payout_minimum_amount
        if amount < minimum:
            raise ValidationFailed(
                f"The smallest payout is {format_amount(minimum, CURRENCY)} ({minimum} cents).",
                field="amount",
            )
        if bank_account is None and payment_provider().name != "sandbox":
            raise ValidationFailed(
                "Enter the account to pay out to: your Stripe connected account id (acct_...).",
                field="bank_account",
            )
        account_number = bank_account or SANDBOX_BANK_ACCOUNT
        if not (account_number.isascii() and account_number.isdigit()) and not (
            CONNECTED_ACCOUNT_ID.fullmatch(account_number)
        ):
            raise ValidationFailed(
                "Enter the bank account number as digits, or with Stripe your connected "
                "account id (acct_...).",
                field="bank_account",
            )
        await self.clear_due(session, utcnow(), user)
        available = await ledger_service.account(session, "freelancer_available", CURRENCY, user)
        in_transit = await ledger_service.account(session, "payouts_in_transit", CURRENCY, user)
        payout = Payout(
            user_id=user.id,
            amount=amount,
            currency=CURRENCY,
            status=PayoutStatus.REQUESTED,
            bank_account=account_number,
            request_key=request_key or uuid.uuid4().hex,
            request_fingerprint=fingerprint,
            transfer_key=f"po_{uuid.uuid4().hex}",
        )
        try:
            async with session.begin_nested():
                await payout_repository.add(session, payout)
        except IntegrityError as exc:
            earlier = await payout_repository.by_request_key(session, user.id, payout.request_key)
            if earlier is None:
                raise Conflict("This payout is being requested; retry in a moment.") from exc
            ensure_same_request(earlier.request_fingerprint, fingerprint)
            return earlier
        try:
            await ledger_service.post(
                session,
                reason="payout_requested",
                reference_type="payout",
                reference_id=str(payout.id),
                legs=[Leg(available, -amount), Leg(in_transit, amount)],
                idempotency_key=f"payout:{payout.transfer_key}",
                description=f"Payout to account ending {payout.bank_account_last4}",
            )
        except InsufficientFunds as exc:
            balance = await ledger_service.balance(session, available)
            raise PayoutRefused(
                f"You can withdraw up to {format_amount(balance, CURRENCY)} now; earnings become "
                f"available "
                f"{get_settings().earnings_clearing_days} days after each sale.",
                field="amount",
                available_amount=balance,
            ) from exc
        return payout

    async def payouts(self, session: AsyncSession, user: User) -> list[Payout]:
        return await payout_repository.for_user(session, user.id)

    async def start_transfer(self, session: AsyncSession, payout_id: int) -> Transfer | None:
        """Step (1): requested -> processing. A payout already processing (its worker died)
        is handed out again: the transfer repeats under the same key."""
        payout = await payout_repository.lock(session, payout_id)
        if payout is None or payout.status not in (PayoutStatus.REQUESTED, PayoutStatus.PROCESSING):
            return None
        payout.status = PayoutStatus.PROCESSING
        await session.flush()
        return Transfer(
            payout.id, payout.bank_account, payout.amount, payout.currency, payout.transfer_key
        )

    async def transfer(self, transfer: Transfer) -> ChargeResult:
        """Step (2), outside any transaction."""
        return await payment_provider().transfer(
            transfer.bank_account,
            transfer.amount,
            transfer.currency,
            f"twinwork payout {public_id('payout', transfer.payout_id)[:8].upper()}",
            transfer.transfer_key,
        )

    async def record_transfer(
        self, session: AsyncSession, transfer: Transfer, result: ChargeResult
    ) -> Payout:
        """Step (3): paid (the money leaves the platform) or failed (it returns to available)."""
        payout = await payout_repository.lock(session, transfer.payout_id)
        assert payout is not None
        if payout.status != PayoutStatus.PROCESSING:
            return payout  # recorded already
        owner = await session.get(User, payout.user_id)
        assert owner is not None
        in_transit = await ledger_service.account(
            session, "payouts_in_transit", payout.currency, owner
        )
        if result.succeeded:
            clearing = await ledger_service.account(session, "payment_clearing", payout.currency)
            legs = [Leg(in_transit, -payout.amount), Leg(clearing, payout.amount)]
            payout.status, reason = PayoutStatus.PAID, "payout_paid"
        else:
            available = await ledger_service.account(
                session, "freelancer_available", payout.currency, owner
            )
            legs = [Leg(in_transit, -payout.amount), Leg(available, payout.amount)]
            payout.status, reason = PayoutStatus.FAILED, "payout_failed"
            payout.failure_message = (result.failure_message or "The transfer failed.")[:300]
        await ledger_service.post(
            session,
            reason=reason,
            reference_type="payout",
            reference_id=str(payout.id),
            legs=legs,
            idempotency_key=f"payout-result:{payout.transfer_key}",
        )
        payout.external_id = result.external_id
        await session.flush()
        amount = format_amount(payout.amount, payout.currency)
        await notify(
            session,
            payout.user_id,
            NotificationKind.PAYOUT,
            f"Your payout of {amount} was sent to the account ending {payout.bank_account_last4}."
            if result.succeeded
            else f"Your payout of {amount} failed and is back in your available earnings: "
            f"{payout.failure_message}",
            "/dashboard/earnings",
            key=f"payout:{payout.id}",
        )
        return payout

    async def unfinished(self, session: AsyncSession, older_than: datetime) -> list[int]:
        return await payout_repository.unfinished_ids(session, older_than)


earnings_service = EarningsService()
