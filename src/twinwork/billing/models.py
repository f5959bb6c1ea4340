from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, UTCDateTime, utcnow

PAYMENT_STATUSES = ("pending", "succeeded", "failed")
"""pending: written and committed, the card being charged (or the request died meanwhile).
succeeded: charged and in the wallet. failed: declined, or no charge was ever made."""


class Payment(Base):
    """A card payment into a wallet: the buyer's receipt once ``status`` is "succeeded", the
    record of a declined attempt once "failed".

    The row is committed as "pending" before the card is charged, outside any transaction,
    under ``charge_key``; the answer is recorded after. A request that dies in between leaves
    it pending: a retry with the same Idempotency-Key repeats the charge under the same key
    (the provider answers with its first result), and a periodic job asks the provider what
    happened under it (``PaymentProvider.lookup``)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    """Charged amount, in cents."""
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    card_last4: Mapped[str] = mapped_column(String(4))
    # The buyer's Idempotency-Key, prefixed with their id: a retried request finds this row.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    # The provider's idempotency key, random for the reason given on Invoice.charge_key.
    charge_key: Mapped[str] = mapped_column(String(64), unique=True)
    failure_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


SUBSCRIPTION_STATUSES = ("active", "past_due", "lapsed", "ended")
"""active: paid up. past_due: a renewal failed, the grace period runs. lapsed: grace ran out
unpaid. ended: cancelled and the paid period is over."""
SIGN_UP_STATUSES = ("pending", "failed")
"""A sign-up before it became a membership: pending while its first period is being charged,
failed when that charge was declined (or never made). Neither is a membership: they are left
out wherever the current membership is read."""


class ProgramSubscription(Base):
    """A freelancer's creation-program subscription: one row per sign-up, renewed in place.
    Written "pending" and committed before the first period is charged (see SIGN_UP_STATUSES)."""

    __tablename__ = "program_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "request_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    amount: Mapped[int] = mapped_column(Integer)
    """Per period, in cents."""
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(20))
    card_token: Mapped[str] = mapped_column(String(100))
    card_last4: Mapped[str] = mapped_column(String(4))
    # The freelancer's Idempotency-Key (or a fresh one): a retried sign-up finds this row.
    request_key: Mapped[str] = mapped_column(String(120))
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
    # open | paid | failed, or refunding -> refunded: paid after its membership had ended.
    status: Mapped[str] = mapped_column(String(10), default="open")
    # Base of the provider's idempotency keys ("<charge_key>-<attempt>"). Random, not derived
    # from the id: an id freed by a rolled-back sign-up is reused, and a key derived from it
    # would meet the provider's answer for somebody else's card.
    charge_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Attempts started. An "open" invoice with attempts > 0 has one in flight (or one whose
    # worker died after charging): it is repeated under the same key, never started afresh.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    failure_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


PAYOUT_STATUSES = ("requested", "processing", "paid", "failed", "reversed")
"""requested: money in transit, not sent yet. processing: being sent. paid: the provider took
it. failed: refused, the money is back in available. reversed: paid, then returned by the
provider (a Connect transfer reversal), the money is back in available."""


class Payout(Base):
    """Money leaving for a freelancer's bank. The available balance moves to "in transit" when
    it is requested; a job sends it and records the answer: paid, or failed and returned. A
    paid payout whose transfer the provider reverses later becomes "reversed" (returned)."""

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


WEBHOOK_EVENT_STATUSES = ("received", "processed", "ignored", "failed")
"""received: stored, not handled yet. processed: handled (perhaps with nothing to do).
ignored: a type we do not act on. failed: handling raised; retried by a periodic job."""


class WebhookEvent(Base):
    """The inbox of events a payment provider sends us. The unique (source, external_id) makes a
    redelivered event find its first row instead of acting twice; an event is stored and
    committed before it is handled, so a failed handling is retried from here."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint("status IN ('received', 'processed', 'ignored', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    """Who sent it: "stripe"."""
    external_id: Mapped[str] = mapped_column(String(255))
    """The sender's event id (evt_...)."""
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    """The event's JSON, exactly as received."""
    status: Mapped[str] = mapped_column(String(12), default="received", index=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Handlings that were started and ended (processed, ignored or failed)."""
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
