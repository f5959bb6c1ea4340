"""Receipts: one document for every payment a person made, and for every refund they got.

Nothing new is stored: a receipt is read from the record of the payment itself, so it can never
disagree with the books. Card payments into the wallet (``P``), payments from the wallet for
work (``W``: a purchased generation, an order held in escrow) and refunds back into the wallet
(``R``: a cancelled order, a dispute's refund) are billing's own; other domains register the
kinds they own (``register_receipts``: the creation program's invoices, ``I``). The number
carries its kind and the public id of its record (upper case), e.g.
``P-DOWNRMATQ3S7XKZ5VB2LJYCHEA``: it names one record without counting them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.models import Payment, PaymentStatus
from twinwork.billing.wallet.repository import payment_repository
from twinwork.kit.errors import NotFound
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.kit.public_ids import LENGTH, public_id
from twinwork.ledger.service import StatementLine, ledger_service, public_reference_id

WALLET_PAYMENT_REASONS = {
    "generation_purchase": "AI generation",
    "order_escrow": "Order, held in escrow until accepted",
}
WALLET_REFUND_REASONS = {
    "order_refund": "Refund of a cancelled order",
    "dispute_resolution": "Refund decided on a dispute",
}
# Every receipt a person could have: a bound, not a page size (pages are cut after merging).
MAX_RECORDS = 10_000
NUMBER = re.compile(rf"^([A-Z])-([A-Z2-7]{{{LENGTH}}})$")
NUMBER_MAX_LENGTH = 2 + LENGTH


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


def receipt_number(prefix: str, kind: str, record_id: int) -> str:
    """``prefix`` says what kind of receipt it is; ``kind`` is its record's kind of public id."""
    return f"{prefix}-{public_id(kind, record_id).upper()}"


ReceiptSource = Callable[[AsyncSession, User], Awaitable[list["Receipt"]]]
"""Every receipt of one kind (or kinds read together) that a user has."""
SOURCES: dict[str, ReceiptSource] = {}


def register_receipts(prefixes: str, source: ReceiptSource) -> None:
    """Receipts whose numbers start with one of ``prefixes`` are read by ``source``."""
    for prefix in prefixes:
        SOURCES[prefix] = source


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
            raise NotFound(f"There is no receipt {number[:NUMBER_MAX_LENGTH]!r}.")
        # Only the kind of record the number names is read.
        for receipt in await self._of_kind(session, user, match.group(1)):
            if receipt.number == wanted:
                return receipt
        raise NotFound(f"There is no receipt {wanted} of yours.")

    async def _all(self, session: AsyncSession, user: User) -> list[Receipt]:
        receipts = []
        for source in dict.fromkeys(SOURCES.values()):  # W and R share one reader
            receipts += await source(session, user)
        receipts.sort(key=lambda r: (r.issued_at, r.number), reverse=True)
        return receipts

    async def _of_kind(self, session: AsyncSession, user: User, prefix: str) -> list[Receipt]:
        source = SOURCES.get(prefix)
        return [] if source is None else await source(session, user)


async def card_payments(session: AsyncSession, user: User) -> list[Receipt]:
    payments = await payment_repository.for_user(session, user.id, limit=MAX_RECORDS)
    return [_card_payment(p) for p in payments if p.status == PaymentStatus.SUCCEEDED]


async def wallet_payments_and_refunds(session: AsyncSession, user: User) -> list[Receipt]:
    wallet = await ledger_service.statement(session, user, ["buyer_wallet"])
    return [_wallet_line(line) for line in wallet if _wallet_line_counts(line)]


def _card_payment(payment: Payment) -> Receipt:
    return Receipt(
        number=receipt_number("P", "payment", payment.id),
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


def _wallet_line_counts(line: StatementLine) -> bool:
    if line.reason in WALLET_PAYMENT_REASONS:
        return line.amount < 0
    return line.reason in WALLET_REFUND_REASONS and line.amount > 0


def _wallet_line(line: StatementLine) -> Receipt:
    refund = line.reason in WALLET_REFUND_REASONS
    what = (WALLET_REFUND_REASONS if refund else WALLET_PAYMENT_REASONS)[line.reason]
    return Receipt(
        number=receipt_number("R" if refund else "W", "transaction", line.transaction_id),
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
    if reference_type in ("order", "generation"):
        return f"/{reference_type}s/{public_reference_id(reference_type, reference_id)}"
    return None


receipt_service = ReceiptService()
register_receipts("P", card_payments)
register_receipts("WR", wallet_payments_and_refunds)
