"""What Stripe tells the program about its invoices, registered with billing's webhook inbox.

``payment_intent.succeeded`` for an invoice we already recorded as paid changes nothing. One
still open, or recorded as failed (the card was still processing or asked for
authentication when we charged it), is recorded now through the renewal's own record step
(``subscription_service.record_renewal``) under the invoice's ledger key, so the money is never
posted twice; for a membership that ended meanwhile it is booked back as "refunding", which
the charges job refunds through the provider. ``payment_intent.payment_failed`` changes
nothing: a renewal's job records its own declines (it repeats the charge under the same key).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.billing.models import WebhookEventStatus
from twinwork.billing.provider import ChargeResult
from twinwork.billing.webhook.service import STRIPE, Outcome, event_key, register_handler
from twinwork.kit.db import utcnow
from twinwork.program.models import Invoice, ProgramSubscription
from twinwork.program.repository import subscription_repository
from twinwork.program.subscription import (
    SETTLED_INVOICE_STATUSES,
    RenewalCharge,
    subscription_service,
)

log = logging.getLogger(__name__)


def _invoice_charge_key(key: str | None) -> str | None:
    # Renewal keys are "<invoice.charge_key>-<attempt>" (subscription.attempt_key).
    if key is None or not key.startswith("inv_"):
        return None
    return key.rsplit("-", 1)[0]


async def _invoice_of(session: AsyncSession, data: dict[str, Any]) -> Invoice | None:
    return await subscription_repository.invoice_for_intent(
        session, str(data["id"]), _invoice_charge_key(event_key(data))
    )


async def invoice_paid(session: AsyncSession, data: dict[str, Any]) -> Outcome | None:
    invoice = await _invoice_of(session, data)
    if invoice is None:
        return None
    intent_id = str(data["id"])
    if invoice.status in SETTLED_INVOICE_STATUSES:
        if invoice.external_id not in (None, intent_id):
            log.warning(
                "invoice %s charged twice (%s, %s)", invoice.id, invoice.external_id, intent_id
            )
            return Outcome(
                WebhookEventStatus.PROCESSED,
                f"Invoice {invoice.public_id} was paid by {invoice.external_id}; "
                f"refund {intent_id}.",
            )
        return Outcome(WebhookEventStatus.PROCESSED)
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
    outcome = await subscription_service.record_renewal(
        session, charge, ChargeResult(True, intent_id), utcnow()
    )
    log.info("invoice %s recorded as paid from Stripe's webhook", invoice.id)
    if outcome.refund is not None:
        return Outcome(
            WebhookEventStatus.PROCESSED,
            f"Invoice {invoice.public_id} was paid after its membership ended; the refund of "
            f"{intent_id} is queued.",
        )
    return Outcome(WebhookEventStatus.PROCESSED)


async def invoice_payment_failed(session: AsyncSession, data: dict[str, Any]) -> Outcome | None:
    if await _invoice_of(session, data) is None:
        return None
    return Outcome(WebhookEventStatus.PROCESSED)


register_handler(STRIPE, "payment_intent.succeeded", invoice_paid)
register_handler(STRIPE, "payment_intent.payment_failed", invoice_payment_failed)
