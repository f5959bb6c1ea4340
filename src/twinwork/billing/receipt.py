"""Receipts: one document for every payment a person made, and for every refund they got.

Nothing new is stored: a receipt is read from the record of the payment itself, so it can never
disagree with the books. Card payments into the wallet (``P``), membership invoices paid by card
(``I``), payments from the wallet for work (``W``: a purchased generation, an order held in
escrow) and refunds back into the wallet (``R``: a cancelled order, a dispute's refund). The
number carries its kind and the id of its record, e.g. ``P-000042``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.models import Invoice, Payment
from twinwork.billing.repository import payment_repository, subscription_repository
from twinwork.kit.errors import NotFound
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.ledger.service import StatementLine, ledger_service

WALLET_PAYMENT_REASONS = {
    "generation_purchase": "AI generation",
    "order_escrow": "Order, held in escrow until accepted",
}
WALLET_REFUND_REASONS = {
    "order_refund": "Refund of a cancelled order",
    "dispute_resolution": "Refund decided on a dispute",
}
INVOICE_STATUSES = {"paid": "paid", "refunding": "refunded", "refunded": "refunded"}
# Every receipt a person could have: a bound, not a page size (pages are cut after merging).
MAX_RECORDS = 10_000
NUMBER = re.compile(r"^([PIWR])-(\d{1,12})$")


@dataclass(frozen=True)
class Receipt:
    number: str
    kind: str
    """card_payment | membership | wallet_payment | refund"""
    issued_at: datetime
    description: str
    amount: int
    """In cents: what was paid (or, for a refund, paid back)."""
    currency: str
    method: str
    status: str
    """paid | refunded"""
    reference_url: str | None


def receipt_number(prefix: str, record_id: int) -> str:
    return f"{prefix}-{record_id:06d}"


class ReceiptService:
    async def page(
        self, session: AsyncSession, user: User, page: int, page_size: int = 25
    ) -> Page[Receipt]:
        receipts = await self._all(session, user)
        check_page_in_range(page, page_size, len(receipts))
        start = (page - 1) * page_size
        return Page(receipts[start : start + page_size], page, page_size, len(receipts))

    async def get(self, session: AsyncSession, user: User, number: str) -> Receipt:
        """One of the user's receipts; anyone else's, or a made-up number, is not found."""
        wanted = number.strip().upper()
        match = NUMBER.match(wanted)
        if match is None:
            raise NotFound(f"There is no receipt {number[:20]!r}.")
        # Only the kind of record the number names is read.
        for receipt in await self._of_kind(session, user, match.group(1)):
            if receipt.number == wanted:
                return receipt
        raise NotFound(f"There is no receipt {wanted} of yours.")

    async def _all(self, session: AsyncSession, user: User) -> list[Receipt]:
        receipts = await self._of_kind(session, user, "P")
        receipts += await self._of_kind(session, user, "I")
        receipts += await self._of_kind(session, user, "W")  # wallet payments and refunds
        receipts.sort(key=lambda r: (r.issued_at, r.number), reverse=True)
        return receipts

    async def _of_kind(self, session: AsyncSession, user: User, prefix: str) -> list[Receipt]:
        if prefix == "P":
            payments = await payment_repository.for_user(session, user.id, limit=MAX_RECORDS)
            return [_card_payment(p) for p in payments if p.status == "succeeded"]
        if prefix == "I":
            invoices = await subscription_repository.invoices_for_user(
                session, user.id, limit=MAX_RECORDS
            )
            card_last4 = await self._membership_cards(session, invoices)
            return [
                _membership(i, card_last4.get(i.subscription_id, ""))
                for i in invoices
                if i.status in INVOICE_STATUSES
            ]
        # W and R: both read from the wallet's entries.
        wallet = await ledger_service.statement(session, user, ["buyer_wallet"])
        return [_wallet_line(line) for line in wallet if _wallet_line_counts(line)]

    async def _membership_cards(
        self, session: AsyncSession, invoices: list[Invoice]
    ) -> dict[int, str]:
        cards = {}
        for subscription_id in {i.subscription_id for i in invoices}:
            subscription = await subscription_repository.get(session, subscription_id)
            if subscription is not None:
                cards[subscription_id] = subscription.card_last4
        return cards


def _card_payment(payment: Payment) -> Receipt:
    return Receipt(
        number=receipt_number("P", payment.id),
        kind="card_payment",
        issued_at=payment.created_at,
        description=(
            "Card payment at checkout"
            if payment.idempotency_key and ":checkout-" in payment.idempotency_key
            else "Wallet top-up"
        ),
        amount=payment.amount,
        currency=payment.currency,
        method=f"Card ending {payment.card_last4}" if payment.card_last4 else "Card",
        status="paid",
        reference_url="/dashboard/wallet",
    )


def _membership(invoice: Invoice, card_last4: str) -> Receipt:
    period = f"{invoice.period_start:%Y-%m-%d} to {invoice.period_end:%Y-%m-%d}"
    return Receipt(
        number=receipt_number("I", invoice.id),
        kind="membership",
        issued_at=invoice.paid_at or invoice.created_at,
        description=f"Creation program membership, {period}",
        amount=invoice.amount,
        currency=invoice.currency,
        method=f"Card ending {card_last4}" if card_last4 else "Card",
        status=INVOICE_STATUSES[invoice.status],
        reference_url="/dashboard/program",
    )


def _wallet_line_counts(line: StatementLine) -> bool:
    if line.reason in WALLET_PAYMENT_REASONS:
        return line.amount < 0
    return line.reason in WALLET_REFUND_REASONS and line.amount > 0


def _wallet_line(line: StatementLine) -> Receipt:
    refund = line.reason in WALLET_REFUND_REASONS
    what = (WALLET_REFUND_REASONS if refund else WALLET_PAYMENT_REASONS)[line.reason]
    return Receipt(
        number=receipt_number("R" if refund else "W", line.transaction_id),
        kind="refund" if refund else "wallet_payment",
        issued_at=line.created_at,
        description=f"{what}: {line.description}" if line.description else what,
        amount=abs(line.amount),
        currency=line.currency,
        method="twinwork wallet",
        status="paid",
        reference_url=_reference_url(line.reference_type, line.reference_id),
    )


def _reference_url(reference_type: str, reference_id: str) -> str | None:
    if reference_type == "order":
        return f"/orders/{reference_id}"
    if reference_type == "generation":
        return f"/generations/{reference_id}"
    return None


receipt_service = ReceiptService()
