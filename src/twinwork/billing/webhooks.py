"""Provider webhooks: verify, store once in the inbox, then handle once.

An event is verified (its signature), stored in ``webhook_events`` and committed before it is
handled: a redelivery meets the unique (source, external_id) and changes nothing, and an event
whose handling fails stays in the inbox as "failed" for the retry job (``webhook_tasks``).
Handling runs in a unit of work of its own, with the event row locked, so two handlings of
one event never both act.

What Stripe tells us, and what we do about it:

- ``payment_intent.succeeded``: a top-up or invoice we already recorded as paid changes
  nothing. One still pending, or recorded as not paid (the card was still processing or asked
  for authentication when we charged it), is recorded now through the same record step as the
  charge's own (``wallet_service.record_top_up``, ``subscription_service.record_renewal``),
  under the same ledger keys, so the money is never posted twice.
- ``payment_intent.payment_failed``: a pending top-up records the decline (no money moves);
  a renewal's job records its own declines.
- ``transfer.reversed``: a paid payout whose Connect transfer came back returns the money to
  the freelancer's available balance (one ledger transaction) and becomes "reversed".
- ``charge.dispute.created``: stored and logged for an operator, who answers it in Stripe.
- Anything else is stored as "ignored".

On a handled event, ``error`` says what an operator must look at (a charge that matches no
record of ours, a partial reversal); on a failed one, why handling failed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.models import Invoice, Payment, ProgramSubscription, WebhookEvent
from twinwork.billing.provider import ChargeResult
from twinwork.billing.service import wallet_service
from twinwork.billing.stripe_provider import KEY_METADATA
from twinwork.billing.subscription import (
    SETTLED_INVOICE_STATUSES,
    RenewalCharge,
    subscription_service,
)
from twinwork.billing.webhook_repository import (
    reconciliation_repository,
    webhook_event_repository,
)
from twinwork.config import get_settings
from twinwork.kit.db import utcnow
from twinwork.kit.errors import DomainError
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.ledger.service import Leg, ledger_service

log = logging.getLogger(__name__)

STRIPE = "stripe"
FINAL_STATUSES = ("processed", "ignored")
MAX_ATTEMPTS = 10
"""Handlings of one event before the retry job leaves it "failed" for an operator."""


class WebhookNotConfigured(DomainError):
    status_code = 503
    title = "Webhooks not configured"
    type_slug = "webhooks-not-configured"


class WebhookRejected(DomainError):
    status_code = 400
    title = "Invalid webhook"
    type_slug = "invalid-webhook"


class NotYetReconcilable(Exception):
    """Our side is not ready for this event (its row is not committed or recorded yet): the
    event fails now and the retry job handles it again later."""


@dataclass(frozen=True)
class VerifiedEvent:
    source: str
    external_id: str
    type: str
    payload: str


@dataclass(frozen=True)
class Receipt:
    event_id: int
    status: str
    duplicate: bool


@dataclass(frozen=True)
class Outcome:
    status: str
    """ "processed" or "ignored"."""
    note: str | None = None
    """What an operator must look at, if anything."""


Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[Outcome]]


class WebhookService:
    # ---- receiving -----------------------------------------------------------------------

    def verify_stripe(self, payload: bytes, signature: str | None) -> VerifiedEvent:
        """Check the Stripe-Signature header against the raw body (and its timestamp against
        replays); nothing unverified goes any further."""
        secret = get_settings().stripe_webhook_secret
        if not secret:
            raise WebhookNotConfigured(
                "Stripe webhooks are not configured on this server: set "
                "TWINWORK_STRIPE_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)."
            )
        try:
            stripe.Webhook.construct_event(payload, signature, secret)
        except stripe.SignatureVerificationError as exc:
            raise WebhookRejected(
                "The Stripe-Signature header does not match this body and the endpoint's "
                "signing secret, or it is too old; nothing was stored."
            ) from exc
        except ValueError as exc:  # not UTF-8 or not JSON
            raise WebhookRejected("The body is not a Stripe event; nothing was stored.") from exc
        event = json.loads(payload)
        event_id, event_type = event.get("id"), event.get("type")
        if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str):
            raise WebhookRejected("The event has no id or type; nothing was stored.")
        return VerifiedEvent(STRIPE, event_id[:255], event_type[:100], payload.decode())

    async def store(self, session: AsyncSession, verified: VerifiedEvent) -> Receipt:
        """Insert into the inbox; a redelivery finds the first row."""
        event = WebhookEvent(
            source=verified.source,
            external_id=verified.external_id,
            type=verified.type,
            payload=verified.payload,
            status="received",
            attempts=0,
        )
        if await webhook_event_repository.add(session, event):
            return Receipt(event.id, event.status, duplicate=False)
        first = await webhook_event_repository.by_external_id(
            session, verified.source, verified.external_id
        )
        assert first is not None
        return Receipt(first.id, first.status, duplicate=True)

    # ---- handling ------------------------------------------------------------------------

    async def handle(self, session: AsyncSession, event_id: int) -> str:
        """Handle a stored event once; returns its status afterwards. Raises when handling
        fails (the caller's unit of work rolls back and marks the event failed)."""
        event = await webhook_event_repository.lock(session, event_id)
        if event is None:
            return "missing"
        if event.status in FINAL_STATUSES:
            return event.status
        handler = HANDLERS.get((event.source, event.type))
        if handler is None:
            outcome = Outcome("ignored")
        else:
            data = json.loads(event.payload).get("data", {}).get("object", {})
            outcome = await handler(session, data)
        event.status = outcome.status
        event.error = outcome.note[:500] if outcome.note else None
        event.attempts += 1
        event.processed_at = utcnow()
        await session.flush()
        return event.status

    async def mark_failed(self, session: AsyncSession, event_id: int, error: str) -> str:
        event = await webhook_event_repository.lock(session, event_id)
        if event is None:
            return "missing"
        if event.status in FINAL_STATUSES:
            return event.status  # handled meanwhile by another delivery
        event.status = "failed"
        event.error = error[:500]
        event.attempts += 1
        await session.flush()
        return event.status

    async def due_for_retry(self, session: AsyncSession, received_before: datetime) -> list[int]:
        return await webhook_event_repository.retry_ids(session, received_before, MAX_ATTEMPTS)

    async def page(
        self, session: AsyncSession, status: str | None, page: int, page_size: int = 50
    ) -> Page[WebhookEvent]:
        items, total = await webhook_event_repository.page(
            session, status, (page - 1) * page_size, page_size
        )
        check_page_in_range(page, page_size, total)
        return Page(items, page, page_size, total)


# ---- Stripe event handlers --------------------------------------------------------------------


def _key(data: dict[str, Any]) -> str | None:
    metadata = data.get("metadata")
    key = metadata.get(KEY_METADATA) if isinstance(metadata, dict) else None
    return key if isinstance(key, str) and key else None


def _invoice_charge_key(key: str | None) -> str | None:
    # Renewal keys are "<invoice.charge_key>-<attempt>" (subscription.attempt_key).
    if key is None or not key.startswith("inv_"):
        return None
    return key.rsplit("-", 1)[0]


async def payment_intent_succeeded(session: AsyncSession, data: dict[str, Any]) -> Outcome:
    intent_id, key = str(data["id"]), _key(data)
    payment = await reconciliation_repository.payment_for_intent(session, intent_id, key)
    if payment is not None:
        return await _top_up_paid(session, payment, intent_id)
    invoice = await reconciliation_repository.invoice_for_intent(
        session, intent_id, _invoice_charge_key(key)
    )
    if invoice is not None:
        return await _invoice_paid(session, invoice, intent_id)
    if key is None:
        return Outcome("ignored", "This PaymentIntent was not made by twinwork.")
    raise NotYetReconcilable(
        f"No top-up or invoice matches PaymentIntent {intent_id} (key {key}). If this stays "
        "failed, the card was charged without a record here: refund it in Stripe."
    )


async def _top_up_paid(session: AsyncSession, payment: Payment, intent_id: str) -> Outcome:
    if payment.status == "succeeded":
        if payment.external_id not in (None, intent_id):
            log.warning(
                "top-up %s charged twice (%s, %s)", payment.id, payment.external_id, intent_id
            )
            return Outcome(
                "processed",
                f"Top-up {payment.id} was paid by {payment.external_id}; refund {intent_id}.",
            )
        return Outcome("processed")
    # The top-up's own step (3): it credits the wallet under the payment's ledger key, so a
    # request recording the same answer meanwhile finds the credit made, not a second one.
    await wallet_service.record_top_up(session, payment.id, ChargeResult(True, intent_id), utcnow())
    log.info("top-up %s recorded as paid from Stripe's webhook", payment.id)
    return Outcome("processed")


async def _invoice_paid(session: AsyncSession, invoice: Invoice, intent_id: str) -> Outcome:
    if invoice.status in SETTLED_INVOICE_STATUSES:
        if invoice.external_id not in (None, intent_id):
            log.warning(
                "invoice %s charged twice (%s, %s)", invoice.id, invoice.external_id, intent_id
            )
            return Outcome(
                "processed",
                f"Invoice {invoice.id} was paid by {invoice.external_id}; refund {intent_id}.",
            )
        return Outcome("processed")
    subscription = await session.get(ProgramSubscription, invoice.subscription_id)
    assert subscription is not None
    charge = RenewalCharge(
        subscription.id,
        invoice.id,
        invoice.charge_key,
        subscription.card_token,
        invoice.amount,
        invoice.currency,
    )
    # The renewal's own step (3): it posts under the invoice's ledger key, extends a live
    # membership (or completes a pending sign-up), and for one that ended books the money
    # back as "refunding", which the charges job refunds through the provider.
    outcome = await subscription_service.record_renewal(
        session, charge, ChargeResult(True, intent_id), utcnow()
    )
    log.info("invoice %s recorded as paid from Stripe's webhook", invoice.id)
    if outcome.refund is not None:
        return Outcome(
            "processed",
            f"Invoice {invoice.id} was paid after its membership ended; the refund of "
            f"{intent_id} is queued.",
        )
    return Outcome("processed")


async def payment_intent_failed(session: AsyncSession, data: dict[str, Any]) -> Outcome:
    intent_id, key = str(data["id"]), _key(data)
    payment = await reconciliation_repository.payment_for_intent(session, intent_id, key)
    if payment is not None:
        if payment.status == "pending":
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
        return Outcome("processed")
    invoice = await reconciliation_repository.invoice_for_intent(
        session, intent_id, _invoice_charge_key(key)
    )
    if invoice is None:
        return Outcome("ignored", "No top-up or invoice matches this PaymentIntent.")
    # A renewal's job records its own declines (it repeats the charge under the same key).
    return Outcome("processed")


async def transfer_reversed(session: AsyncSession, data: dict[str, Any]) -> Outcome:
    transfer_id, key = str(data["id"]), _key(data)
    payout = await reconciliation_repository.payout_for_transfer(session, transfer_id, key)
    if payout is None:
        if key is None:
            return Outcome("ignored", "This transfer was not made by twinwork.")
        raise NotYetReconcilable(f"No payout matches transfer {transfer_id} (key {key}).")
    if payout.status == "reversed":
        return Outcome("processed")
    if payout.status in ("requested", "processing"):
        raise NotYetReconcilable(
            f"Payout {payout.id} is not recorded as paid yet; its reversal waits for that."
        )
    if payout.status != "paid":
        return Outcome("processed", f"Payout {payout.id} is {payout.status}; nothing to return.")
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
            "processed",
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
    payout.status = "reversed"
    # The earnings page adds that the money is back in the available balance.
    payout.failure_message = "The transfer was reversed by the payment provider."
    await session.flush()
    log.info("payout %s reversed: %s cents back to available", payout.id, payout.amount)
    return Outcome("processed")


async def dispute_created(session: AsyncSession, data: dict[str, Any]) -> Outcome:  # noqa: ARG001 - a handler's signature
    log.warning(
        "card dispute %s on charge %s (%s %s, reason %s): answer it in the Stripe dashboard",
        data.get("id"),
        data.get("charge"),
        data.get("amount"),
        data.get("currency"),
        data.get("reason"),
    )
    return Outcome("processed")


HANDLERS: dict[tuple[str, str], Handler] = {
    (STRIPE, "payment_intent.succeeded"): payment_intent_succeeded,
    (STRIPE, "payment_intent.payment_failed"): payment_intent_failed,
    (STRIPE, "transfer.reversed"): transfer_reversed,
    (STRIPE, "charge.dispute.created"): dispute_created,
}

webhook_service = WebhookService()
