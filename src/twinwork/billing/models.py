from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, UTCDateTime, utcnow


class Payment(Base):
    """A card payment into a wallet: the buyer's receipt once ``status`` is "succeeded".

    The row is flushed as "pending" before the card is charged, so a concurrent retry with the
    same idempotency key waits on the unique constraint and then finds this payment. Should the
    transaction be lost after the charge, the provider's own idempotency (the same key) makes
    the retry find the first charge rather than make a second."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    """Charged amount, in cents."""
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    card_last4: Mapped[str] = mapped_column(String(4))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
