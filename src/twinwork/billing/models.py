from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, StrEnumType, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


PAYMENT_STATUSES = tuple(PaymentStatus)
"""pending: written and committed, the card being charged (or the request died meanwhile).
succeeded: charged and in the wallet. failed: declined, or no charge was ever made."""


class Payment(PublicIdMixin, Base):
    """A card payment into a wallet: the buyer's receipt once ``status`` is "succeeded", the
    record of a declined attempt once "failed".

    The row is committed as "pending" before the card is charged, outside any transaction,
    under ``charge_key``; the answer is recorded after. A request that dies in between leaves
    it pending: a retry with the same Idempotency-Key repeats the charge under the same key
    (the provider answers with its first result), and a periodic job asks the provider what
    happened under it (``PaymentProvider.lookup``)."""

    __tablename__ = "payments"
    __public_kind__ = "payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    """Charged amount, in cents."""
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(20))
    status: Mapped[PaymentStatus] = mapped_column(
        StrEnumType(PaymentStatus, 20), default=PaymentStatus.PENDING, index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    card_last4: Mapped[str] = mapped_column(String(4))
    # The buyer's Idempotency-Key, prefixed with their id: a retried request finds this row.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    # SHA-256 of the first request's significant fields (kit.idempotency); None on old rows.
    request_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The provider's idempotency key, random for the reason given on Invoice.charge_key.
    charge_key: Mapped[str] = mapped_column(String(64), unique=True)
    failure_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PayoutStatus(StrEnum):
    REQUESTED = "requested"
    PROCESSING = "processing"
    PAID = "paid"
    FAILED = "failed"
    REVERSED = "reversed"


PAYOUT_STATUSES = tuple(PayoutStatus)
"""requested: money in transit, not sent yet. processing: being sent. paid: the provider took
it. failed: refused, the money is back in available. reversed: paid, then returned by the
provider (a Connect transfer reversal), the money is back in available."""


class Payout(PublicIdMixin, Base):
    """Money leaving for a freelancer's bank. The available balance moves to "in transit" when
    it is requested; a job sends it and records the answer: paid, or failed and returned. A
    paid payout whose transfer the provider reverses later becomes "reversed" (returned)."""

    __tablename__ = "payouts"
    __public_kind__ = "payout"
    __table_args__ = (UniqueConstraint("user_id", "request_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    """In cents."""
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PayoutStatus] = mapped_column(
        StrEnumType(PayoutStatus, 12), default=PayoutStatus.REQUESTED, index=True
    )
    bank_account: Mapped[str] = mapped_column(String(34))
    # The freelancer's Idempotency-Key (or a fresh one): a retried request finds this payout.
    request_key: Mapped[str] = mapped_column(String(120))
    # SHA-256 of the first request's significant fields (kit.idempotency); None on old rows.
    request_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The provider's key, random for the reason given on Invoice.charge_key.
    transfer_key: Mapped[str] = mapped_column(String(64), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def bank_account_last4(self) -> str:
        return self.bank_account[-4:]


class WebhookEventStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"


WEBHOOK_EVENT_STATUSES = tuple(WebhookEventStatus)
"""received: stored, not handled yet. processed: handled (perhaps with nothing to do).
ignored: a type we do not act on. failed: handling raised; retried by a periodic job."""


class WebhookEvent(PublicIdMixin, Base):
    """The inbox of events a payment provider sends us. The unique (source, external_id) makes a
    redelivered event find its first row instead of acting twice; an event is stored and
    committed before it is handled, so a failed handling is retried from here."""

    __tablename__ = "webhook_events"
    __public_kind__ = "webhook"
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
    status: Mapped[WebhookEventStatus] = mapped_column(
        StrEnumType(WebhookEventStatus, 12), default=WebhookEventStatus.RECEIVED, index=True
    )
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Handlings that were started and ended (processed, ignored or failed)."""
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
