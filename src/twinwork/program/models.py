"""The creation program's tables: memberships (one row per sign-up, renewed in place) and
their invoices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, StrEnumType, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin


class MembershipStatus(StrEnum):
    """active: paid up. past_due: a renewal failed, the grace period runs. lapsed: grace ran
    out unpaid. ended: cancelled and the paid period is over. Before it is a membership, a
    sign-up is pending (its first period being charged) or failed (declined, never charged)."""

    ACTIVE = "active"
    PAST_DUE = "past_due"
    LAPSED = "lapsed"
    ENDED = "ended"
    PENDING = "pending"
    FAILED = "failed"


class InvoiceStatus(StrEnum):
    """open: not paid yet (an attempt may be in flight). paid. failed: the last attempt was
    declined. refunding -> refunded: paid after its membership had ended, and given back."""

    OPEN = "open"
    PAID = "paid"
    FAILED = "failed"
    REFUNDING = "refunding"
    REFUNDED = "refunded"


SUBSCRIPTION_STATUSES = (
    MembershipStatus.ACTIVE,
    MembershipStatus.PAST_DUE,
    MembershipStatus.LAPSED,
    MembershipStatus.ENDED,
)
"""Memberships, current or past."""
LIVE_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE)
"""A member now."""
SIGN_UP_STATUSES = (MembershipStatus.PENDING, MembershipStatus.FAILED)
"""A sign-up before it became a membership: pending while its first period is being charged,
failed when that charge was declined (or never made). Neither is a membership: they are left
out wherever the current membership is read."""


class ProgramSubscription(PublicIdMixin, Base):
    """A freelancer's creation-program subscription: one row per sign-up, renewed in place.
    Written "pending" and committed before the first period is charged (see SIGN_UP_STATUSES)."""

    __tablename__ = "program_subscriptions"
    __public_kind__ = "subscription"
    __table_args__ = (UniqueConstraint("user_id", "request_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        StrEnumType(MembershipStatus, 10), default=MembershipStatus.ACTIVE, index=True
    )
    amount: Mapped[int] = mapped_column(Integer)
    """Per period, in cents."""
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(20))
    card_token: Mapped[str] = mapped_column(String(100))
    card_last4: Mapped[str] = mapped_column(String(4))
    # The freelancer's Idempotency-Key (or a fresh one): a retried sign-up finds this row.
    request_key: Mapped[str] = mapped_column(String(120))
    # SHA-256 of the first request's significant fields (kit.idempotency); None on old rows.
    request_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    current_period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    current_period_end: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Invoice(PublicIdMixin, Base):
    """One period of a subscription. Written (open) and committed before the card is charged:
    a renewal killed mid-way finds it and charges again under the same key, which the provider
    answers with the first result instead of a second charge."""

    __tablename__ = "invoices"
    __public_kind__ = "invoice"
    __table_args__ = (UniqueConstraint("subscription_id", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("program_subscriptions.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    amount: Mapped[int] = mapped_column(Integer)
    """In cents."""
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[InvoiceStatus] = mapped_column(
        StrEnumType(InvoiceStatus, 10), default=InvoiceStatus.OPEN
    )
    # Base of the provider's idempotency keys ("<charge_key>-<attempt>"). Random, not derived
    # from the id: an id freed by a rolled-back sign-up is reused, and a key derived from it
    # would meet the provider's answer for somebody else's card.
    charge_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Attempts started. An "open" invoice with attempts > 0 has one in flight (or one whose
    # worker died after charging): it is repeated under the same key, never started afresh.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    failure_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    failure_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    ledger_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApplicationStatus(StrEnum):
    """in_review: a rule failed; an operator approves or declines. waitlisted: every rule
    passed but no seat was free; offered one in turn. admitted: holds a seat until
    ``seat_expires_at`` to subscribe in. joined: subscribed; the membership holds the seat.
    left: the membership ended and the seat went back. declined: an operator said no, with a
    reason. expired: admitted (or offered a seat, or invited) and never subscribed in time."""

    IN_REVIEW = "in_review"
    WAITLISTED = "waitlisted"
    ADMITTED = "admitted"
    JOINED = "joined"
    LEFT = "left"
    DECLINED = "declined"
    EXPIRED = "expired"


class AdmissionRoute(StrEnum):
    """How a seat was granted."""

    RULES = "rules"
    """Every rule passed and a seat was free when applying."""
    REVIEW = "review"
    """An operator approved it."""
    WAITLIST = "waitlist"
    """A freed seat was offered to the next on the waitlist."""
    INVITATION = "invitation"
    """An operator invited the freelancer, bypassing the rules."""
    EXISTING_MEMBER = "existing_member"
    """A member from before seats existed, admitted by the migration."""


class ProgramRules(Base):
    """The eligibility rules and the seat limit: one row (id 1), edited by operators."""

    __tablename__ = "program_rules"
    __table_args__ = (
        CheckConstraint(
            "min_rating >= 0 AND min_completed_orders >= 0 AND min_consented_samples >= 0 "
            "AND seat_limit >= 0",
            name="non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    min_level: Mapped[str] = mapped_column(String(20))
    """The lowest seller level that passes (levels above it pass too)."""
    min_rating: Mapped[float] = mapped_column(Float)
    min_completed_orders: Mapped[int] = mapped_column(Integer)
    min_consented_samples: Mapped[int] = mapped_column(Integer)
    seat_limit: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class ProgramApplication(PublicIdMixin, Base):
    """A freelancer's way into the program: an application (admitted by the rules, reviewed
    by an operator, or waitlisted), an invitation, or an existing member's seat."""

    __tablename__ = "program_applications"
    __public_kind__ = "application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        StrEnumType(ApplicationStatus, 12), index=True
    )
    # The user's id while the application is open, NULL once it is closed: a unique column,
    # so two requests can never open two applications for one freelancer.
    open_key: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    route: Mapped[AdmissionRoute | None] = mapped_column(
        StrEnumType(AdmissionRoute, 20), nullable=True
    )
    evidence: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    """Each rule with its threshold, the freelancer's figure and pass/fail, when applying."""
    decline_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    invited_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    decided_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    admitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seat_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """An admitted freelancer subscribes before this, or the seat goes to the next."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
