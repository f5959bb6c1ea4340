from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
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


SUBSCRIPTION_STATUSES = ("active", "past_due", "lapsed", "ended")
"""active: paid up. past_due: a renewal failed, the grace period runs. lapsed: grace ran out
unpaid. ended: cancelled and the paid period is over."""


class ProgramSubscription(Base):
    """A freelancer's creation-program subscription: one row per sign-up, renewed in place."""

    __tablename__ = "program_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    amount: Mapped[int] = mapped_column(Integer)
    """Per period, in cents."""
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(20))
    card_token: Mapped[str] = mapped_column(String(100))
    card_last4: Mapped[str] = mapped_column(String(4))
    current_period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    current_period_end: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Invoice(Base):
    """One period of a subscription. Written (open) and committed before the card is charged:
    a renewal killed mid-way finds it and charges again under the same key, which the provider
    answers with the first result instead of a second charge."""

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("subscription_id", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("program_subscriptions.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    amount: Mapped[int] = mapped_column(Integer)
    """In cents."""
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | paid | failed
    # Base of the provider's idempotency keys ("<charge_key>-<attempt>"). Random, not derived
    # from the id: an id freed by a rolled-back sign-up is reused, and a key derived from it
    # would meet the provider's answer for somebody else's card.
    charge_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Attempts started. An "open" invoice with attempts > 0 has one in flight (or one whose
    # worker died after charging): it is repeated under the same key, never started afresh.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Payout(Base):
    """Money leaving for a freelancer's bank. The available balance moves to "in transit" when
    it is requested; a job sends it and records the answer: paid, or failed and returned."""

    __tablename__ = "payouts"
    __table_args__ = (UniqueConstraint("user_id", "request_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    """In cents."""
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default="requested", index=True)
    bank_account: Mapped[str] = mapped_column(String(34))
    # The freelancer's Idempotency-Key (or a fresh one): a retried request finds this payout.
    request_key: Mapped[str] = mapped_column(String(120))
    # The provider's key, random for the reason given on Invoice.charge_key.
    transfer_key: Mapped[str] = mapped_column(String(64), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def bank_account_last4(self) -> str:
        return self.bank_account[-4:]
