"""Orders of a gig package, made by a person, by the freelancer's model, or both."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, UTCDateTime, utcnow

ORDER_KINDS = ("human", "ai", "hybrid")
ORDER_STATUSES = ("in_progress", "delivered", "completed", "cancelled")


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("buyer_user_id", "request_key"),
        CheckConstraint("kind IN ('human', 'ai', 'hybrid')", name="kind"),
        CheckConstraint(
            "status IN ('in_progress', 'delivered', 'completed', 'cancelled')", name="status"
        ),
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
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="in_progress", index=True)
    brief: Mapped[str] = mapped_column(Text, default="")
    price_amount: Mapped[int] = mapped_column(Integer)
    """What the buyer paid, in cents: held in escrow until acceptance (human, hybrid)."""
    currency: Mapped[str] = mapped_column(String(3))
    revisions_allowed: Mapped[int] = mapped_column(Integer)
    revisions_used: Mapped[int] = mapped_column(Integer, default=0)
    model_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    generation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    request_key: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    auto_accept_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Delivery(Base):
    """Work handed to the buyer; ``made_by`` says how it was made, shown with it."""

    __tablename__ = "order_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    made_by: Mapped[str] = mapped_column(String(10))  # human | ai | hybrid
    is_draft: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    disclosure: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RevisionRequest(Base):
    __tablename__ = "order_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Review(Base):
    __tablename__ = "order_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    freelancer_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
