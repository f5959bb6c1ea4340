"""Conversations between one buyer and one freelancer, their messages, attachments and
custom offers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from twinwork.kit.db import Base, StrEnumType, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin
from twinwork.order.models import OrderKind


class AuthorKind(StrEnum):
    """Who wrote a message: shown with every message, so the buyer always knows whether a
    person or the freelancer's assistant is talking."""

    BUYER = "buyer"
    FREELANCER = "freelancer"
    ASSISTANT = "assistant"


class AssistantState(StrEnum):
    """ACTIVE: the freelancer's assistant may answer here. HANDED_OVER: it handed the
    conversation to the freelancer, or the freelancer took over; it stays quiet until handed
    back. PAUSED: switched off in this conversation."""

    ACTIVE = "active"
    HANDED_OVER = "handed_over"
    PAUSED = "paused"


class OfferStatus(StrEnum):
    """An offer past its ``expires_at`` while OPEN reads as expired (see ``Offer.state``)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"


def _one_of(column: str, enum: type[StrEnum]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{member}'" for member in enum))


class Conversation(PublicIdMixin, Base):
    """One per (buyer, freelancer, subject): ``subject_key`` is ``general``, ``gig:<id>`` or
    ``order:<id>``. Read marks and the last e-mail sent live here, one pair per party: a
    conversation has exactly two."""

    __tablename__ = "inbox_conversations"
    __public_kind__ = "conversation"
    __table_args__ = (
        UniqueConstraint("buyer_user_id", "freelancer_user_id", "subject_key"),
        CheckConstraint(_one_of("assistant_state", AssistantState), name="assistant_state"),
        CheckConstraint("buyer_user_id <> freelancer_user_id", name="two_parties"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    buyer_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    freelancer_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    subject_key: Mapped[str] = mapped_column(String(40))
    gig_id: Mapped[int | None] = mapped_column(
        ForeignKey("gigs.id", ondelete="RESTRICT"), nullable=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    assistant_state: Mapped[AssistantState] = mapped_column(
        StrEnumType(AssistantState, 16), default=AssistantState.ACTIVE
    )
    handover_reason: Mapped[str | None] = mapped_column(String(60), nullable=True)
    handover_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handover_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the freelancer first wrote after the handover: it no longer needs them (the
    assistant still stays quiet until handed back). None while it waits for them."""
    # The newest message id each party has read (0: none).
    buyer_read_id: Mapped[int] = mapped_column(Integer, default=0)
    freelancer_read_id: Mapped[int] = mapped_column(Integer, default=0)
    # When each party was last e-mailed about this conversation (the debounce).
    buyer_emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    freelancer_emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Message(PublicIdMixin, Base):
    __tablename__ = "inbox_messages"
    __public_kind__ = "message"
    __table_args__ = (
        CheckConstraint(_one_of("author_kind", AuthorKind), name="author_kind"),
        Index("ix_inbox_messages_conversation_id_id", "conversation_id", "id"),
        Index("ix_inbox_messages_author_user_id_created_at", "author_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_conversations.id", ondelete="RESTRICT")
    )
    author_kind: Mapped[AuthorKind] = mapped_column(StrEnumType(AuthorKind, 12))
    # The person who wrote it; for the assistant, the freelancer it speaks for.
    author_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    author_name: Mapped[str] = mapped_column(String(200))
    """As shown: the person's name, or "<assistant name>, <freelancer>'s assistant"."""
    text: Mapped[str] = mapped_column(Text)
    offer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The custom offer this message announces, if any."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachments: Mapped[list[Attachment]] = relationship(lazy="selectin", order_by="Attachment.id")


class Attachment(PublicIdMixin, Base):
    """A file sent with a message. The bytes live in object storage under ``storage_key``;
    the type was sniffed from the content, never taken from the name."""

    __tablename__ = "inbox_attachments"
    __public_kind__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_messages.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(100))
    byte_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Offer(PublicIdMixin, Base):
    """A custom offer: what, for how much, in how many days, with how many revisions, made
    how. Accepting it places an order through the same escrow code as a package order;
    ``order_id`` is unique, so an offer becomes at most one order."""

    __tablename__ = "inbox_offers"
    __public_kind__ = "offer"
    __table_args__ = (
        CheckConstraint(_one_of("status", OfferStatus), name="status"),
        CheckConstraint(_one_of("kind", OrderKind), name="kind"),
        CheckConstraint("price_amount > 0", name="price_positive"),
        CheckConstraint("delivery_days > 0", name="delivery_days_positive"),
        CheckConstraint("revisions >= 0", name="revisions_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_conversations.id", ondelete="RESTRICT"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    price_amount: Mapped[int] = mapped_column(Integer)
    """In cents."""
    currency: Mapped[str] = mapped_column(String(3))
    delivery_days: Mapped[int] = mapped_column(Integer)
    revisions: Mapped[int] = mapped_column(Integer)
    kind: Mapped[OrderKind] = mapped_column(StrEnumType(OrderKind, 10))
    status: Mapped[OfferStatus] = mapped_column(
        StrEnumType(OfferStatus, 12), default=OfferStatus.OPEN
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), nullable=True, unique=True
    )
    accept_key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    """The Idempotency-Key the accepting request carried: its retry gets the same order.
    Written while the offer is still open when a request starts paying for it (the claim):
    a request under another key is refused until ``accept_started_at`` is stale, so two
    windows never both charge a card for one offer."""
    accept_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the request holding the claim began paying (None: no claim)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def state(self, now: datetime) -> str:
        """What the parties read: open, expired, accepted, withdrawn or declined."""
        if self.status == OfferStatus.OPEN and self.expires_at <= now:
            return "expired"
        return str(self.status)


class ReportReason(StrEnum):
    """Why a party reports a conversation: a fixed list, so operators can sort them."""

    SPAM = "spam"
    HARASSMENT = "harassment"
    SCAM = "scam"
    """Fraud, phishing, or asking to be paid outside twinwork."""
    INAPPROPRIATE = "inappropriate"
    PERSONAL_DATA = "personal_data"
    """Someone's private data shared or asked for."""
    OTHER = "other"


REPORT_REASON_LABELS = {
    ReportReason.SPAM: "Spam or advertising",
    ReportReason.HARASSMENT: "Harassment or threats",
    ReportReason.SCAM: "Scam, or asked to pay outside twinwork",
    ReportReason.INAPPROPRIATE: "Inappropriate content",
    ReportReason.PERSONAL_DATA: "Personal data shared or asked for",
    ReportReason.OTHER: "Something else",
}


class ReportStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ConversationReport(PublicIdMixin, Base):
    """A party's report of a conversation. While it is open an operator may read (never
    write in) the conversation; resolving it ends that access. One open report per reporter
    and conversation (a partial unique index): reporting again adds nothing."""

    __tablename__ = "inbox_reports"
    __public_kind__ = "report"
    __table_args__ = (
        CheckConstraint(_one_of("reason", ReportReason), name="reason"),
        CheckConstraint(_one_of("status", ReportStatus), name="status"),
        Index(
            "uq_inbox_reports_open_per_reporter",
            "conversation_id",
            "reporter_user_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_inbox_reports_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_conversations.id", ondelete="RESTRICT"), index=True
    )
    reporter_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[ReportReason] = mapped_column(StrEnumType(ReportReason, 20))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ReportStatus] = mapped_column(
        StrEnumType(ReportStatus, 10), default=ReportStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), nullable=True
    )
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    """What the operator did about it, for the record."""
