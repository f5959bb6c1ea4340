"""Double-entry ledger: accounts, transactions and their entries, append-only.

An entry's amount is signed, in cents: positive adds to the account's balance, negative takes
from it. The entries of one transaction sum to zero per currency, so money only ever moves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from twinwork.kit.db import Base, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin

# Kinds of account, and whether their balance may go below zero. Payment clearing mirrors money
# held outside the platform (cards, banks), so it goes negative as money comes in.
ACCOUNT_KINDS: dict[str, bool] = {
    "buyer_wallet": False,
    "freelancer_pending": False,
    "freelancer_available": False,
    "escrow": False,
    "platform_revenue": False,
    "payouts_in_transit": False,
    "payment_clearing": True,
}


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (UniqueConstraint("kind", "owner_key", "currency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    # "user:<id>" or "platform": a non-null key, so the unique constraint also covers the
    # platform's own accounts (NULLs never collide in a unique index).
    owner_key: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerTransaction(PublicIdMixin, Base):
    __tablename__ = "ledger_transactions"
    __public_kind__ = "transaction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))
    reference_type: Mapped[str] = mapped_column(String(30))
    reference_id: Mapped[str] = mapped_column(String(64))
    # Unique: a retried request finds the first transaction instead of posting a second one.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    entries: Mapped[list[LedgerEntry]] = relationship(lazy="selectin", order_by="LedgerEntry.id")


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (CheckConstraint("amount <> 0", name="amount_non_zero"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_accounts.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    """Signed, in cents."""
    currency: Mapped[str] = mapped_column(String(3))
