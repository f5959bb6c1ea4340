"""The personal assistant's tables: its settings and FAQ, the knowledge vectors it retrieves
from, every turn it took, the handovers it made and the requirement drafts it gathered.

Conversations and messages belong to the inbox; these tables point at them by plain ids
(no foreign keys), so the inbox never has to know the assistant exists.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, StrEnumType, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin

DEFAULT_NAME = "Twin"
DEFAULT_AVAILABILITY: dict[str, Any] = {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}
"""Monday to Friday (0 = Monday), nine to five in the freelancer's time zone."""


class OutOfOfficeMode(StrEnum):
    """What the assistant does while its freelancer is out of office."""

    NOTE = "note"  # answers once per conversation with the note and the return date
    SILENT = "silent"  # says nothing at all


class HandoverReason(StrEnum):
    """Why the assistant stopped and handed the conversation to the freelancer: a fixed list,
    so the freelancer's inbox can filter and the evaluation can count."""

    HUMAN_REQUESTED = "human_requested"
    CUSTOM_OFFER = "custom_offer"
    DISCOUNT = "discount"
    REFUND = "refund"
    COMPLAINT = "complaint"
    KEYWORD = "keyword"
    NEVER_DOES = "never_does"
    RUSH = "rush"
    OUT_OF_SCOPE = "out_of_scope"
    LOW_CONFIDENCE = "low_confidence"
    UNVERIFIED = "unverified"
    LANGUAGE = "language"


REASON_LABELS = {
    HandoverReason.HUMAN_REQUESTED: "The client asked for a person",
    HandoverReason.CUSTOM_OFFER: "Custom offer or custom work",
    HandoverReason.DISCOUNT: "Discount or a different price",
    HandoverReason.REFUND: "Refund",
    HandoverReason.COMPLAINT: "Complaint",
    HandoverReason.KEYWORD: "One of your handover keywords",
    HandoverReason.NEVER_DOES: "Something you never do",
    HandoverReason.RUSH: "A deadline shorter than your packages",
    HandoverReason.OUT_OF_SCOPE: "Outside what the assistant may answer",
    HandoverReason.LOW_CONFIDENCE: "Not covered by your gigs, profile or FAQ",
    HandoverReason.UNVERIFIED: "A reply the checker could not back with your data",
    HandoverReason.LANGUAGE: "A language the assistant does not answer in",
}


class HandoverStatus(StrEnum):
    OPEN = "open"  # waiting for the freelancer
    ANSWERED = "answered"  # the freelancer wrote in the conversation
    HANDED_BACK = "handed_back"  # the freelancer gave the conversation back to the assistant


class TurnOutcome(StrEnum):
    ANSWERED = "answered"
    HANDED_OVER = "handed_over"
    OUT_OF_OFFICE = "out_of_office"
    SILENT = "silent"


class DraftStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


def _one_of(column: str, enum: type[StrEnum]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{member}'" for member in enum))


class AssistantSettings(Base):
    """One row per freelancer who opened the assistant's settings; no row means "off"."""

    __tablename__ = "assistant_settings"
    __table_args__ = (
        CheckConstraint(_one_of("out_of_office_mode", OutOfOfficeMode), name="ooo_mode"),
        CheckConstraint("follow_up_hours BETWEEN 1 AND 168", name="follow_up_hours"),
        CheckConstraint("quiet_hours BETWEEN 0 AND 720", name="quiet_hours"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str] = mapped_column(String(40), default=DEFAULT_NAME)
    new_clients_only: Mapped[bool] = mapped_column(Boolean, default=True)
    """Repeat clients (a past order with this freelancer) are left to the freelancer."""
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    availability: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=lambda: dict(DEFAULT_AVAILABILITY)
    )
    out_of_office_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The last day away; the freelancer is back the day after."""
    out_of_office_mode: Mapped[OutOfOfficeMode] = mapped_column(
        StrEnumType(OutOfOfficeMode, 10), default=OutOfOfficeMode.NOTE
    )
    handover_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    never: Mapped[str] = mapped_column(Text, default="")
    """Free text, one thing per line: requests that always go to the freelancer."""
    follow_up_hours: Mapped[int] = mapped_column(Integer, default=4)
    """After a handover, the client hears again once if the freelancer has not answered."""
    quiet_hours: Mapped[int] = mapped_column(Integer, default=24)
    """The assistant stays out of a conversation the freelancer wrote in this recently."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FaqEntry(PublicIdMixin, Base):
    __tablename__ = "assistant_faq_entries"
    __public_kind__ = "faq"
    __table_args__ = (Index("ix_assistant_faq_entries_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(300))
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class KnowledgeChunk(Base):
    """One passage the assistant may retrieve, with its MiniLM vector (384 float32, unit
    length, little-endian bytes). ``key`` names the source ("faq:12", "package:7:basic"), so a
    re-index replaces exactly the passages whose text changed."""

    __tablename__ = "assistant_knowledge"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    """What is embedded and what may be quoted."""
    answer: Mapped[str] = mapped_column(Text, default="")
    """For an FAQ entry: the freelancer's answer, quoted as written."""
    content_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssistantTurn(Base):
    """What the assistant did with one buyer message: unique per message, so a retried hook
    never answers twice."""

    __tablename__ = "assistant_turns"
    __table_args__ = (
        CheckConstraint(_one_of("outcome", TurnOutcome), name="outcome"),
        Index("ix_assistant_turns_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(Integer, unique=True)
    conversation_id: Mapped[int] = mapped_column(Integer)
    freelancer_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[TurnOutcome] = mapped_column(StrEnumType(TurnOutcome, 16))
    why: Mapped[str] = mapped_column(String(200), default="")
    """For a silent turn: why it said nothing (off, repeat client, taken over ...)."""
    intents: Mapped[list[str]] = mapped_column(JSON, default=list)
    tools: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """The tool results the reply was built from (what the verifier checked against)."""
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    reply_message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Handover(PublicIdMixin, Base):
    __tablename__ = "assistant_handovers"
    __public_kind__ = "handover"
    __table_args__ = (
        CheckConstraint(_one_of("reason", HandoverReason), name="reason"),
        CheckConstraint(_one_of("status", HandoverStatus), name="status"),
        Index("ix_assistant_handovers_freelancer_status", "freelancer_user_id", "status"),
        Index("ix_assistant_handovers_status_follow_up_due_at", "status", "follow_up_due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(Integer, index=True)
    message_id: Mapped[int] = mapped_column(Integer)
    freelancer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    buyer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[HandoverReason] = mapped_column(StrEnumType(HandoverReason, 20))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """wants, budget, deadline, open questions, gathered: the summary's parts."""
    question: Mapped[str] = mapped_column(Text, default="")
    """The buyer's message that was handed over (for FAQ suggestions)."""
    status: Mapped[HandoverStatus] = mapped_column(
        StrEnumType(HandoverStatus, 12), default=HandoverStatus.OPEN
    )
    follow_up_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    follow_up_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RequirementDraft(PublicIdMixin, Base):
    """What the buyer told the assistant they need, gathered into an order brief that the
    freelancer confirms with one click (the buyer then gets the brief and the package to
    order)."""

    __tablename__ = "assistant_drafts"
    __public_kind__ = "draft"
    __table_args__ = (
        CheckConstraint(_one_of("status", DraftStatus), name="status"),
        Index("ix_assistant_drafts_freelancer_status", "freelancer_user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(Integer, index=True)
    freelancer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    buyer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    gig_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    package_name: Mapped[str | None] = mapped_column(String(20), nullable=True)
    requirements: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[DraftStatus] = mapped_column(
        StrEnumType(DraftStatus, 10), default=DraftStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
