"""A sale in the books: the platform fee and the one posting that pays a freelancer.

Every way a freelancer earns (a purchased generation, an accepted order, a dispute resolved
with part or none of the price refunded) moves money the same way: out of where the buyer's
money sits (their wallet, or escrow), to the freelancer's pending earnings less the platform
fee, which goes to the platform's revenue. It is written here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.kit.money import format_amount
from twinwork.ledger.models import LedgerAccount, LedgerTransaction
from twinwork.ledger.service import Leg, ledger_service
from twinwork.notify.models import NotificationKind
from twinwork.notify.service import notify

SALE_REASONS = ("order_release", "dispute_resolution", "generation_purchase")
"""The ledger reasons ``post_sale`` is called with: an order accepted (human, hybrid or AI), a
dispute settled with part of the price paid, a model sale (a purchased generation). Cancelled
and fully refunded orders post nothing to the freelancer."""


def platform_fee(amount: int) -> int:
    """The platform's share of a sale of ``amount`` cents, rounded half up to whole cents."""
    return (amount * get_settings().platform_fee_percent + 50) // 100


@dataclass(frozen=True)
class Sale:
    transaction: LedgerTransaction
    fee_amount: int
    """In cents."""


async def post_sale(
    session: AsyncSession,
    *,
    paid_from: LedgerAccount,
    freelancer: User,
    amount: int,
    currency: str,
    reason: str,
    reference_type: str,
    reference_id: str,
    idempotency_key: str,
    description: str,
    refund_to: LedgerAccount | None = None,
    refund_amount: int = 0,
) -> Sale:
    """Post one balanced transaction: ``amount + refund_amount`` cents leave ``paid_from``;
    ``amount`` is the sale (the freelancer's pending earnings less the fee, and the fee), and
    ``refund_amount`` goes back to ``refund_to``. Legs of zero are left out. Posted under
    ``idempotency_key``: a retry returns the first transaction."""
    if refund_amount and refund_to is None:
        raise ValueError("a refund needs the account it goes back to")
    fee = platform_fee(amount)
    legs = [Leg(paid_from, -(amount + refund_amount))]
    if refund_amount and refund_to is not None:
        legs.append(Leg(refund_to, refund_amount))
    if amount - fee:
        pending = await ledger_service.account(session, "freelancer_pending", currency, freelancer)
        legs.append(Leg(pending, amount - fee))
    if fee:
        revenue = await ledger_service.account(session, "platform_revenue", currency)
        legs.append(Leg(revenue, fee))
    transaction = await ledger_service.post(
        session,
        reason=reason,
        reference_type=reference_type,
        reference_id=reference_id,
        legs=[leg for leg in legs if leg.amount],
        idempotency_key=idempotency_key,
        description=description,
    )
    if amount - fee > 0:
        # Keyed like the posting: a retried sale notifies once.
        await notify(
            session,
            freelancer.id,
            NotificationKind.SALE,
            f"You earned {format_amount(amount - fee, currency)} ({description}; "
            f"{format_amount(fee, currency)} platform fee).",
            "/dashboard/earnings",
            key=f"sale:{idempotency_key}",
        )
    return Sale(transaction, fee)
