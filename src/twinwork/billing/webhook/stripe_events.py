"""What Stripe tells us about billing's own records, and what we do about it:

- ``payment_intent.succeeded``: a top-up we already recorded as paid changes nothing. One still
  pending, or recorded as not paid (the card was still processing or asked for authentication
  when we charged it), is recorded now through the charge's own record step
  (``wallet_service.record_top_up``), under the same ledger key, so the money is never posted
  twice. An intent that matches no record of anyone's fails for the retry job (our row may not
  be committed yet) unless twinwork did not make it.
- ``payment_intent.payment_failed``: a pending top-up records the decline (no money moves).
- ``transfer.reversed``: a paid payout whose Connect transfer came back returns the money to
  the freelancer's available balance (one ledger transaction) and becomes "reversed".
- ``charge.dispute.created``: stored and logged for an operator, who answers it in Stripe.

Other domains register handlers for their own records beside these (the creation program, for
its invoices).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.models import Payment, PaymentStatus, PayoutStatus, WebhookEventStatus
from twinwork.billing.provider import ChargeResult
from twinwork.billing.wallet.service import wallet_service
from twinwork.billing.webhook.repository import reconciliation_repository
from twinwork.billing.webhook.service import (
    STRIPE,
    NotYetReconcilable,
    Outcome,
    event_key,
    register_handler,
    register_unmatched,
)
from twinwork.kit.db import utcnow
from twinwork.ledger.service import Leg, ledger_service

log = logging.getLogger(__name__)

PROCESSED = WebhookEventStatus.PROCESSED
IGNORED = WebhookEventStatus.IGNORED


async def top_up_succeeded(session: AsyncSession, data: dict[str, Any]) -> Outcome | None:
    intent_id, key = str(data["id"]), event_key(data)
    payment = await reconciliation_repository.payment_for_intent(session, intent_id, key)
    if payment is None:
        return None
    return await _top_up_paid(session, payment, intent_id)


async def _top_up_paid(session: AsyncSession, payment: Payment, intent_id: str) -> Outcome:
    if payment.status == PaymentStatus.SUCCEEDED:
        if payment.external_id not in (None, intent_id):
            log.warning(
                "top-up %s charged twice (%s, %s)", payment.id, payment.external_id, intent_id
            )
            return Outcome(
                PROCESSED,
                f"Top-up {payment.public_id} was paid by {payment.external_id}; "
                f"refund {intent_id}.",
            )
        return Outcome(PROCESSED)
    # The top-up's own step (3): it credits the wallet under the payment's ledger key, so a
    # request recording the same answer meanwhile finds the credit made, not a second one.
    await wallet_service.record_top_up(session, payment.id, ChargeResult(True, intent_id), utcnow())
    log.info("top-up %s recorded as paid from Stripe's webhook", payment.id)
    return Outcome(PROCESSED)


async def unmatched_intent_succeeded(session: AsyncSession, data: dict[str, Any]) -> Outcome:  # noqa: ARG001 - a fallback's signature
    intent_id, key = str(data["id"]), event_key(data)
    if key is None:
        return Outcome(IGNORED, "This PaymentIntent was not made by twinwork.")
    raise NotYetReconcilable(
        f"No top-up or invoice matches PaymentIntent {intent_id} (key {key}). If this stays "
        "failed, the card was charged without a record here: refund it in Stripe."
    )


async def top_up_failed(session: AsyncSession, data: dict[str, Any]) -> Outcome | None:
    intent_id, key = str(data["id"]), event_key(data)
    payment = await reconciliation_repository.payment_for_intent(session, intent_id, key)
    if payment is None:
        return None
    if payment.status == PaymentStatus.PENDING:
        # The same answer the charge's own request gets under this key; a failure moves
        # no money, and a success met later is still credited (record_top_up).
        error = data.get("last_payment_error") or {}
        result = ChargeResult(
            False,
            intent_id,
            error.get("decline_code") or error.get("code") or "card_declined",
            error.get("message") or "The card was declined.",
        )
        await wallet_service.record_top_up(session, payment.id, result, utcnow())
    return Outcome(PROCESSED)


async def unmatched_intent_failed(session: AsyncSession, data: dict[str, Any]) -> Outcome:  # noqa: ARG001 - a fallback's signature
    return Outcome(IGNORED, "No top-up or invoice matches this PaymentIntent.")


async def transfer_reversed(session: AsyncSession, data: dict[str, Any]) -> Outcome:
    transfer_id, key = str(data["id"]), event_key(data)
    payout = await reconciliation_repository.payout_for_transfer(session, transfer_id, key)
    if payout is None:
        if key is None:
            return Outcome(IGNORED, "This transfer was not made by twinwork.")
        raise NotYetReconcilable(f"No payout matches transfer {transfer_id} (key {key}).")
    if payout.status == PayoutStatus.REVERSED:
        return Outcome(PROCESSED)
    if payout.status in (PayoutStatus.REQUESTED, PayoutStatus.PROCESSING):
        raise NotYetReconcilable(
            f"Payout {payout.public_id} is not recorded as paid yet; its reversal waits for that."
        )
    if payout.status != PayoutStatus.PAID:
        return Outcome(
            PROCESSED, f"Payout {payout.public_id} is {payout.status}; nothing to return."
        )
    reversed_amount = int(data.get("amount_reversed") or 0)
    if reversed_amount < payout.amount:
        log.warning(
            "payout %s: transfer %s partly reversed (%s of %s cents)",
            payout.id,
            transfer_id,
            reversed_amount,
            payout.amount,
        )
        return Outcome(
            PROCESSED,
            f"Transfer {transfer_id} was reversed by {reversed_amount} of {payout.amount} "
            "cents; return that part by hand.",
        )
    owner = await session.get(User, payout.user_id)
    assert owner is not None
    clearing = await ledger_service.account(session, "payment_clearing", payout.currency)
    available = await ledger_service.account(
        session, "freelancer_available", payout.currency, owner
    )
    await ledger_service.post(
        session,
        reason="payout_reversed",
        reference_type="payout",
        reference_id=str(payout.id),
        legs=[Leg(clearing, -payout.amount), Leg(available, payout.amount)],
        idempotency_key=f"payout-reversed:{payout.transfer_key}",
        description=f"Payout to account ending {payout.bank_account_last4} returned",
    )
    payout.status = PayoutStatus.REVERSED
    # The earnings page adds that the money is back in the available balance.
    payout.failure_message = "The transfer was reversed by the payment provider."
    await session.flush()
    log.info("payout %s reversed: %s cents back to available", payout.id, payout.amount)
    return Outcome(PROCESSED)


async def dispute_created(session: AsyncSession, data: dict[str, Any]) -> Outcome:  # noqa: ARG001 - a handler's signature
    log.warning(
        "card dispute %s on charge %s (%s %s, reason %s): answer it in the Stripe dashboard",
        data.get("id"),
        data.get("charge"),
        data.get("amount"),
        data.get("currency"),
        data.get("reason"),
    )
    return Outcome(PROCESSED)


register_handler(STRIPE, "payment_intent.succeeded", top_up_succeeded)
register_unmatched(STRIPE, "payment_intent.succeeded", unmatched_intent_succeeded)
register_handler(STRIPE, "payment_intent.payment_failed", top_up_failed)
register_unmatched(STRIPE, "payment_intent.payment_failed", unmatched_intent_failed)
register_handler(STRIPE, "transfer.reversed", transfer_reversed)
register_handler(STRIPE, "charge.dispute.created", dispute_created)
