from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from twinwork.billing.schemas import CARD_REFERENCE_SCHEMA, card_reference
from twinwork.kit.public_ids import (
    DeliveryIdOut,
    DisputeIdOut,
    FileIdOut,
    GigId,
    OrderIdOut,
    PublicIdOut,
    UserIdOut,
)
from twinwork.kit.text import CLEANED
from twinwork.order.models import DisputeStatus, OrderKind, OrderStatus

Text = Annotated[str, Field(min_length=1, max_length=50_000), CLEANED]


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gig_id: GigId
    package: Literal["basic", "standard", "premium"]
    kind: OrderKind = OrderKind.HUMAN
    brief: Annotated[str, Field(max_length=5000), CLEANED] = ""
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


class DeliveryFileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, description="The file's name, e.g. logo.svg")
    content_base64: str = Field(min_length=1, description="The file's bytes, base64-encoded.")
    content_type: str | None = Field(
        default=None, max_length=100, description="Guessed from the name when left out."
    )


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text
    files: list[DeliveryFileIn] = Field(default_factory=list, max_length=50)


class DeliveryFileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: FileIdOut
    name: str
    content_type: str
    byte_size: int
    sha256: str


class RevisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Annotated[str, Field(min_length=1, max_length=5000), CLEANED]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5)
    text: Annotated[str, Field(max_length=2000), CLEANED] = ""


class RequirementsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requirements: Annotated[str, Field(min_length=3, max_length=5000), CLEANED]


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=10, max_length=5000), CLEANED]


class DisputeResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    response: Annotated[str, Field(min_length=1, max_length=5000), CLEANED]


class DisputeResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refund_amount: int = Field(ge=0, le=2**31 - 1)
    """Back to the buyer, in cents: 0 pays the freelancer in full, the order's price refunds
    it all, anything between splits the escrow."""
    note: Annotated[str, Field(min_length=1, max_length=5000), CLEANED]


class DisputeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: DisputeIdOut
    order_id: OrderIdOut
    status: DisputeStatus
    reason: str
    freelancer_response: str
    refund_amount: int | None
    """In cents, once resolved."""
    resolution_note: str
    created_at: datetime
    closed_at: datetime | None


class DisputePageOut(BaseModel):
    items: list[DisputeOut]
    page: int
    pages: int
    total: int


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: DeliveryIdOut
    made_by: OrderKind
    is_draft: bool
    text: str
    disclosure: str
    created_at: datetime
    files: list[DeliveryFileOut] = []


class OrderOut(BaseModel):
    id: OrderIdOut
    role: Literal["buyer", "freelancer"]
    buyer_user_id: UserIdOut
    freelancer_user_id: UserIdOut
    gig_id: Annotated[int | None, PublicIdOut("gig")]
    package: str | None
    kind: OrderKind
    status: OrderStatus
    brief: str
    price_amount: int
    """In cents."""
    currency: str
    revisions_allowed: int
    revisions_used: int
    delivery_days: int | None
    due_at: datetime | None
    auto_accept_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    deliveries: list[DeliveryOut]
    review: dict[str, object] | None
    dispute: DisputeOut | None


class OrderPageOut(BaseModel):
    items: list[OrderOut]
    page: int
    pages: int
    total: int
