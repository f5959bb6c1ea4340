"""Membership invoices as receipts (``I-`` and the invoice's public id), registered with billing's
receipts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.receipt.service import (
    MAX_RECORDS,
    Receipt,
    receipt_number,
    register_receipts,
)
from twinwork.program.models import Invoice, InvoiceStatus
from twinwork.program.repository import subscription_repository

RECEIPT_STATUSES = {
    InvoiceStatus.PAID: "paid",
    InvoiceStatus.REFUNDING: "refunded",
    InvoiceStatus.REFUNDED: "refunded",
}


async def membership_receipts(session: AsyncSession, user: User) -> list[Receipt]:
    invoices = await subscription_repository.invoices_for_user(session, user.id, limit=MAX_RECORDS)
    cards: dict[int, str] = {}
    for subscription_id in {i.subscription_id for i in invoices}:
        subscription = await subscription_repository.get(session, subscription_id)
        if subscription is not None:
            cards[subscription_id] = subscription.card_last4
    return [
        _membership(i, cards.get(i.subscription_id, ""))
        for i in invoices
        if i.status in RECEIPT_STATUSES
    ]


def _membership(invoice: Invoice, card_last4: str) -> Receipt:
    period = f"{invoice.period_start:%Y-%m-%d} to {invoice.period_end:%Y-%m-%d}"
    return Receipt(
        number=receipt_number("I", "invoice", invoice.id),
        kind="membership",
        issued_at=invoice.paid_at or invoice.created_at,
        description=f"Creation program membership, {period}",
        amount=invoice.amount,
        currency=invoice.currency,
        method=f"Card ending {card_last4}" if card_last4 else "Card",
        status=RECEIPT_STATUSES[invoice.status],
        reference_url="/dashboard/program",
    )


register_receipts("I", membership_receipts)
