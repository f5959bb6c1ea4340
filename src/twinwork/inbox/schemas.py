from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from twinwork.billing.schemas import CARD_REFERENCE_SCHEMA, card_reference
from twinwork.inbox.models import AssistantState, AuthorKind, ReportReason, ReportStatus
from twinwork.kit.public_ids import (
    AttachmentIdOut,
    ConversationIdOut,
    GigId,
    MessageIdOut,
    OfferIdOut,
    OrderId,
    PublicIdOut,
    ReportIdOut,
    UserIdOut,
)
from twinwork.kit.text import CLEANED
from twinwork.order.models import OrderKind

MAX_MESSAGE_CHARS = 5000
MessageText = Annotated[str, Field(max_length=MAX_MESSAGE_CHARS), CLEANED]


class FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, description="The file's name, e.g. brief.pdf")
    content_base64: str = Field(min_length=1, description="The file's bytes, base64-encoded.")


class ConversationIn(BaseModel):
    """Start a conversation (or add to the one that exists for the same subject)."""

    model_config = ConfigDict(extra="forbid")

    freelancer_handle: str | None = Field(
        default=None,
        max_length=40,
        description="The freelancer's handle (GET /api/v1/gigs/{gig_id} gives it); optional "
        "with gig_id or order_id.",
    )
    gig_id: GigId | None = Field(default=None, description="About this gig (its public id).")
    order_id: OrderId | None = Field(
        default=None, description="About this order (its public id; either party)."
    )
    text: MessageText
    files: list[FileIn] = Field(default_factory=list, max_length=20)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: MessageText = ""
    files: list[FileIn] = Field(default_factory=list, max_length=20)


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, Field(min_length=10, max_length=5000), CLEANED] = Field(
        description="What the buyer gets: it becomes the order's requirements."
    )
    price_amount: int = Field(ge=500, le=10_000_000, description="In cents ($5 to $100,000).")
    delivery_days: int = Field(ge=1, le=365)
    revisions: int = Field(ge=0, le=20)
    kind: OrderKind = Field(
        default=OrderKind.HUMAN, description="Made by hand (human), by AI (ai) or both (hybrid)."
    )
    expires_in_days: int | None = Field(
        default=None, ge=1, le=90, description="7 days unless given."
    )


class PartyOut(BaseModel):
    id: UserIdOut
    display_name: str
    handle: str | None = None


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: AttachmentIdOut
    name: str
    content_type: str
    byte_size: int
    sha256: str


class OfferOut(BaseModel):
    id: OfferIdOut
    conversation_id: ConversationIdOut
    description: str
    price_amount: int
    """In cents."""
    currency: str
    delivery_days: int
    revisions: int
    kind: OrderKind
    status: Literal["open", "expired", "accepted", "withdrawn", "declined"]
    expires_at: datetime
    order_id: Annotated[int | None, PublicIdOut("order")]
    created_at: datetime


class MessageOut(BaseModel):
    id: MessageIdOut
    author_kind: AuthorKind
    author_name: str
    """The buyer's or freelancer's name, or "<assistant name>, <freelancer>'s assistant"."""
    text: str
    created_at: datetime
    attachments: list[AttachmentOut]
    offer: OfferOut | None


class HandoverOut(BaseModel):
    reason: str | None
    summary: str | None
    at: datetime | None
    answered_at: datetime | None = None
    """When the freelancer first wrote after it (None: it still waits for them). The
    assistant stays quiet either way until the freelancer hands the conversation back."""


class SubjectOut(BaseModel):
    kind: Literal["general", "gig", "order"]
    gig_id: Annotated[int | None, PublicIdOut("gig")]
    order_id: Annotated[int | None, PublicIdOut("order")]
    title: str


class ConversationSummaryOut(BaseModel):
    id: ConversationIdOut
    role: Literal["buyer", "freelancer", "admin"]
    buyer: PartyOut
    freelancer: PartyOut
    subject: SubjectOut
    assistant_state: AssistantState
    handover: HandoverOut | None
    unread: int
    last_message_at: datetime
    created_at: datetime


class ConversationOut(ConversationSummaryOut):
    messages: list[MessageOut]
    """One page, oldest first; page 1 holds the newest messages."""
    page: int
    pages: int
    total_messages: int


class ConversationPageOut(BaseModel):
    items: list[ConversationSummaryOut]
    page: int
    pages: int
    total: int
    unread: int
    """Unread messages over all your conversations."""


class OfferAcceptIn(BaseModel):
    """Paying for an accepted offer, as at a package's checkout: the wallet pays; with
    ``card_number`` a card pays what the wallet lacks (at least the smallest card payment)."""

    model_config = ConfigDict(extra="forbid")

    card_number: str | None = Field(
        default=None,
        max_length=100,
        description="Pay at checkout: what the wallet does not cover is charged to this card.",
        json_schema_extra=CARD_REFERENCE_SCHEMA,
    )

    @field_validator("card_number")
    @classmethod
    def _card(cls, card_number: str | None) -> str | None:
        return (
            None if card_number is None or not card_number.strip() else card_reference(card_number)
        )


MAX_REPORT_NOTE_CHARS = 2000


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ReportReason = Field(
        description="spam, harassment, scam (incl. asking to pay outside twinwork), "
        "inappropriate, personal_data or other."
    )
    note: Annotated[str, Field(max_length=MAX_REPORT_NOTE_CHARS), CLEANED] = Field(
        default="",
        validate_default=True,
        description="What happened, for the operator (optional except for other).",
    )

    @field_validator("note")
    @classmethod
    def _say_what_else(cls, note: str, info: ValidationInfo) -> str:
        if info.data.get("reason") == ReportReason.OTHER and not note.strip():
            raise ValueError("Say what happened when the reason is something else.")
        return note


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: ReportIdOut
    conversation_id: ConversationIdOut
    reason: ReportReason
    note: str
    status: ReportStatus
    created_at: datetime
    resolved_at: datetime | None


class AdminReportOut(ReportOut):
    reporter: PartyOut
    buyer: PartyOut
    freelancer: PartyOut
    resolution: str | None


class ReportPageOut(BaseModel):
    items: list[AdminReportOut]
    page: int
    pages: int
    total: int


class ReportResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: Annotated[str, Field(min_length=3, max_length=MAX_REPORT_NOTE_CHARS), CLEANED] = (
        Field(description="What was done about it, kept with the report.")
    )
