"""Equity for top freelancers: the rules (one row), yearly rounds and the grants they made.

A grant is written once per freelancer and year (a unique key decides, not a prior read) and
carries the evidence it was made on, frozen as JSON: later changes to the rules, the ledger
or a seller's level never rewrite why a grant was made.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin


class TrancheStatus(StrEnum):
    """Where one of a freelancer's yearly tranches stands.

    granted: a round made it. forfeited: its year's round ran and the year missed the bar.
    awaiting_round: its year is over and no round has run for it yet. in_progress: its year
    is this year. upcoming: a later year. not_started: the freelancer has not qualified yet,
    so the tranches have no years."""

    GRANTED = "granted"
    FORFEITED = "forfeited"
    AWAITING_ROUND = "awaiting_round"
    IN_PROGRESS = "in_progress"
    UPCOMING = "upcoming"
    NOT_STARTED = "not_started"


class EquityRules(Base):
    """The programme's rules: one row (id 1), edited by operators. Amounts in cents."""

    __tablename__ = "equity_rules"
    __table_args__ = (
        CheckConstraint(
            "min_earnings_amount >= 0 AND min_growth_percent >= 0 AND high_earnings_amount >= 0 "
            "AND level_years >= 1 AND grant_amount > 0 AND tranches >= 1",
            name="sane",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    qualifying_levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Seller levels that count (catalog.models.LEVELS), e.g. ["top_rated", "pro"]."""
    level_years: Mapped[int] = mapped_column(Integer)
    """Held without a break for this many years, up to the end of the measurement year."""
    min_earnings_amount: Mapped[int] = mapped_column(Integer)
    """In cents: the bar that also needs growth (and that every later tranche needs)."""
    min_growth_percent: Mapped[int] = mapped_column(Integer)
    high_earnings_amount: Mapped[int] = mapped_column(Integer)
    """In cents: qualifies on its own for the first grant, without growth."""
    allowed_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Residence countries (profile country codes) that qualify; empty: no condition."""
    grant_amount: Mapped[int] = mapped_column(Integer)
    """Value of each yearly grant, in cents."""
    tranches: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class EquityRound(PublicIdMixin, Base):
    """The grants of one measurement year, confirmed by an operator at a share price."""

    __tablename__ = "equity_rounds"
    __public_kind__ = "round"
    __table_args__ = (
        CheckConstraint("share_price_amount > 0", name="share_price_positive"),
        UniqueConstraint("year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    share_price_amount: Mapped[int] = mapped_column(Integer)
    """Last trading day's close, in cents."""
    currency: Mapped[str] = mapped_column(String(3))
    near_misses: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    """Who missed the bar that year and what they lacked, as at the round."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class EquityGrant(PublicIdMixin, Base):
    """One yearly tranche of a freelancer's award, in whole shares and the cents left over."""

    __tablename__ = "equity_grants"
    __public_kind__ = "grant"
    __table_args__ = (
        # One grant per freelancer and year, and each tranche once: a repeated round
        # cannot grant twice whatever it read before writing.
        UniqueConstraint("user_id", "year", name="uq_equity_grants_user_id_year"),
        UniqueConstraint("user_id", "tranche", name="uq_equity_grants_user_id_tranche"),
        CheckConstraint(
            "amount > 0 AND share_price_amount > 0 AND shares >= 0 AND remainder_amount >= 0 "
            "AND tranche >= 1",
            name="sane",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("equity_rounds.id", ondelete="RESTRICT"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    tranche: Mapped[int] = mapped_column(Integer)
    """1 for the grant when the freelancer first qualified, then 2, 3, 4."""
    amount: Mapped[int] = mapped_column(Integer)
    """Value granted, in cents."""
    share_price_amount: Mapped[int] = mapped_column(Integer)
    """In cents."""
    shares: Mapped[int] = mapped_column(Integer)
    remainder_amount: Mapped[int] = mapped_column(Integer)
    """What whole shares could not take, in cents: amount - shares * share price."""
    currency: Mapped[str] = mapped_column(String(3))
    evidence: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    """Every rule with its figure and the earnings and level history, as at the grant."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
