from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from twinwork.inbox.models import AssistantState, AuthorKind
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
        description="The freelancer's handle (GET /api/v1/gigs/{id} gives it); optional with "
        "gig_id or order_id.",
    )
    gig_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="About this gig.")
    order_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="About this order (either party)."
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
    id: int
    display_name: str
    handle: str | None = None


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    content_type: str
    byte_size: int
    sha256: str


class OfferOut(BaseModel):
    id: int
    conversation_id: int
    description: str
    price_amount: int
    """In cents."""
    currency: str
    delivery_days: int
    revisions: int
    kind: OrderKind
    status: Literal["open", "expired", "accepted", "withdrawn", "declined"]
    expires_at: datetime
    order_id: int | None
    created_at: datetime


class MessageOut(BaseModel):
    id: int
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


class SubjectOut(BaseModel):
    kind: Literal["general", "gig", "order"]
    gig_id: int | None
    order_id: int | None
    title: str


class ConversationSummaryOut(BaseModel):
    id: int
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
