from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from twinwork.kit.email import EmailAddress
from twinwork.kit.public_ids import (
    ApplicationIdOut,
    InvoiceIdOut,
    SubscriptionIdOut,
    UserIdOut,
)
from twinwork.kit.text import CLEANED


class InvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: InvoiceIdOut
    period_start: datetime
    period_end: datetime
    amount: int
    """In cents."""
    currency: str
    status: str
    attempts: int
    failure_message: str | None
    paid_at: datetime | None


class SubscriptionOut(BaseModel):
    id: SubscriptionIdOut
    status: Literal["active", "past_due", "lapsed", "ended"]
    member: bool
    """Whether the freelancer may train and sell model use now."""
    amount: int
    """Per period, in cents."""
    currency: str
    card_last4: str
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    grace_until: datetime | None
    invoices: list[InvoiceOut]


class RulesIn(BaseModel):
    """The program's eligibility rules and seat limit."""

    model_config = ConfigDict(extra="forbid")

    min_level: Literal["new", "level_1", "level_2", "top_rated", "pro"]
    min_rating: float = Field(ge=0, le=5, allow_inf_nan=False)
    min_completed_orders: int = Field(ge=0, le=100_000)
    min_consented_samples: int = Field(ge=0, le=10_000)
    seat_limit: int = Field(ge=0, le=10_000_000)


class RulesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    min_level: str
    min_rating: float
    min_completed_orders: int
    min_consented_samples: int
    seat_limit: int
    updated_at: datetime


class RuleCheckOut(BaseModel):
    key: str
    label: str
    passed: bool
    figure: str
    """The freelancer's own figure against the bar, e.g. "4 of 10 completed orders"."""


class SeatsOut(BaseModel):
    limit: int
    used: int
    free: int


class EligibilityOut(BaseModel):
    eligible: bool
    """Whether every rule passes (a seat may still be needed: see ``seats``)."""
    rules: list[RuleCheckOut]
    seats: SeatsOut


class ApplicationOut(BaseModel):
    id: ApplicationIdOut
    user_id: UserIdOut
    status: Literal["in_review", "waitlisted", "admitted", "joined", "left", "declined", "expired"]
    route: str | None
    """How the seat was granted: rules, review, waitlist, invitation, existing_member."""
    waitlist_position: int | None
    seat_expires_at: datetime | None
    """Subscribe before this, or the seat goes to the next freelancer."""
    decline_reason: str | None
    evidence: list[dict[str, object]]
    created_at: datetime
    decided_at: datetime | None


class ApplicationPageOut(BaseModel):
    items: list[ApplicationOut]
    page: int
    pages: int
    total: int


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=3, max_length=500), CLEANED]
    """Shown to the freelancer."""


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailAddress
