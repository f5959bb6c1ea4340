"""One notification: something that happened to a person's orders or money, unread until seen."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, StrEnumType, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin


class NotificationKind(StrEnum):
    NEW_ORDER = "new_order"
    DELIVERY = "delivery"
    REVISION_REQUEST = "revision_request"
    DISPUTE = "dispute"
    SALE = "sale"
    PAYOUT = "payout"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    NotificationKind.NEW_ORDER: "New order",
    NotificationKind.DELIVERY: "Delivery",
    NotificationKind.REVISION_REQUEST: "Revision request",
    NotificationKind.DISPUTE: "Dispute",
    NotificationKind.SALE: "Sale",
    NotificationKind.PAYOUT: "Payout",
}


class Notification(PublicIdMixin, Base):
    __tablename__ = "notifications"
    __public_kind__ = "notification"
    __table_args__ = (
        # A producer retried (an idempotent ledger posting, a job run twice) notifies once.
        UniqueConstraint("user_id", "dedupe_key"),
        # The bell's unread count and the newest-first list both start from the user.
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
        # The e-mail sweep looks for the few not yet sent.
        Index("ix_notifications_emailed_at", "emailed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(StrEnumType(NotificationKind, 30))
    text: Mapped[str] = mapped_column(String(300))
    # A path inside the site ("/orders/" and the order's public id), never an outside address.
    link: Mapped[str] = mapped_column(String(300), default="")
    dedupe_key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set once the e-mail went out; the sweep job sends those still unset.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
