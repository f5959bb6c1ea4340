"""Orders of a gig package, made by a person, by the freelancer's model, or both."""

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from twinwork.kit.db import Base, StrEnumType, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin


class OrderKind(StrEnum):
    """How the work is made: what the buyer ordered, and what a delivery says of itself."""

    HUMAN = "human"
    AI = "ai"
    HYBRID = "hybrid"


class OrderStatus(StrEnum):
    """AWAITING_REQUIREMENTS: paid into escrow, but the buyer has not said what they need yet;
    the delivery clock starts when they do. DISPUTED: the buyer opened a dispute; escrow stays
    put until an admin resolves it. REFUNDED: a dispute ended with the whole price back in the
    buyer's wallet."""

    AWAITING_REQUIREMENTS = "awaiting_requirements"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    DISPUTED = "disputed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class DisputeStatus(StrEnum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"
    RESOLVED = "resolved"


def _one_of(column: str, enum: type[StrEnum]) -> str:
    """A check constraint's SQL, members in order: the very text the migrations created."""
    return "{} IN ({})".format(column, ", ".join(f"'{member}'" for member in enum))


class Order(PublicIdMixin, Base):
    __tablename__ = "orders"
    __public_kind__ = "order"
    __table_args__ = (
        UniqueConstraint("buyer_user_id", "request_key"),
        CheckConstraint(_one_of("kind", OrderKind), name="kind"),
        CheckConstraint(_one_of("status", OrderStatus), name="status"),
        CheckConstraint("price_amount > 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    buyer_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    freelancer_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    # None for AI work bought straight from a model's page (no gig involved).
    gig_id: Mapped[int | None] = mapped_column(
        ForeignKey("gigs.id", ondelete="RESTRICT"), nullable=True
    )
    package_name: Mapped[str | None] = mapped_column(String(20), nullable=True)
    kind: Mapped[OrderKind] = mapped_column(StrEnumType(OrderKind, 10))
    status: Mapped[OrderStatus] = mapped_column(
        StrEnumType(OrderStatus, 24), default=OrderStatus.IN_PROGRESS, index=True
    )
    brief: Mapped[str] = mapped_column(Text, default="")
    """The buyer's requirements: given with the order, or afterwards in answer to the gig's
    requirements question."""
    delivery_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The package's delivery time; ``due_at`` counts from when the requirements arrive."""
    price_amount: Mapped[int] = mapped_column(Integer)
    """What the buyer paid, in cents: held in escrow until acceptance (human, hybrid)."""
    currency: Mapped[str] = mapped_column(String(3))
    revisions_allowed: Mapped[int] = mapped_column(Integer)
    revisions_used: Mapped[int] = mapped_column(Integer, default=0)
    model_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    generation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    request_key: Mapped[str] = mapped_column(String(120))
    # SHA-256 of the first request's significant fields (kit.idempotency); None on old rows.
    request_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    auto_accept_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Delivery(PublicIdMixin, Base):
    """Work handed to the buyer; ``made_by`` says how it was made, shown with it."""

    __tablename__ = "order_deliveries"
    __public_kind__ = "delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    made_by: Mapped[OrderKind] = mapped_column(StrEnumType(OrderKind, 10))
    is_draft: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    disclosure: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    files: Mapped[list[DeliveryFile]] = relationship(lazy="selectin", order_by="DeliveryFile.id")


class DeliveryFile(PublicIdMixin, Base):
    """A file handed over with a delivery (artwork, audio, a document). The bytes live in
    object storage under ``storage_key``; the row says what they are and proves them (hash)."""

    __tablename__ = "order_delivery_files"
    __public_kind__ = "file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("order_deliveries.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(100))
    byte_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RevisionRequest(Base):
    __tablename__ = "order_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Review(PublicIdMixin, Base):
    __tablename__ = "order_reviews"
    __public_kind__ = "review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    freelancer_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Dispute(PublicIdMixin, Base):
    """A buyer's dispute over an order whose price is still in escrow. An admin resolves it
    by splitting the escrow: ``refund_amount`` back to the buyer, the rest to the freelancer
    (less the platform fee), in one ledger transaction keyed by the dispute."""

    __tablename__ = "order_disputes"
    __public_kind__ = "dispute"
    __table_args__ = (
        CheckConstraint(_one_of("status", DisputeStatus), name="status"),
        CheckConstraint("refund_amount IS NULL OR refund_amount >= 0", name="refund_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    # Only one open dispute per order: the key is the order id while open, NULL once it ends
    # (NULLs never collide), so a second "open" races into the unique constraint.
    open_key: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    status: Mapped[DisputeStatus] = mapped_column(
        StrEnumType(DisputeStatus, 10), default=DisputeStatus.OPEN, index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    freelancer_response: Mapped[str] = mapped_column(Text, default="")
    # The order's status before the dispute, restored if the buyer withdraws it.
    order_status_before: Mapped[OrderStatus] = mapped_column(StrEnumType(OrderStatus, 24))
    refund_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Back to the buyer, in cents; set on resolution."""
    resolution_note: Mapped[str] = mapped_column(Text, default="")
    resolved_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), nullable=True
    )
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
