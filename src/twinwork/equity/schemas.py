from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from twinwork.kit.public_ids import GrantIdOut, RoundIdOut, UserIdOut, public_id

Level = Literal["new", "level_1", "level_2", "top_rated", "pro"]


class RulesIn(BaseModel):
    """The equity programme's rules. Amounts in cents."""

    model_config = ConfigDict(extra="forbid")

    qualifying_levels: list[Level] = Field(min_length=1, max_length=5)
    level_years: int = Field(ge=1, le=10)
    min_earnings_amount: int = Field(ge=0, le=10_000_000_000)
    """In cents."""
    min_growth_percent: int = Field(ge=0, le=1000)
    high_earnings_amount: int = Field(ge=0, le=10_000_000_000)
    """In cents."""
    allowed_countries: list[str] = Field(default_factory=list, max_length=250)
    """Two-letter residence country codes; empty: no residency condition."""
    grant_amount: int = Field(ge=1, le=10_000_000_000)
    """Value of each yearly grant, in cents."""
    tranches: int = Field(ge=1, le=10)

    @field_validator("qualifying_levels")
    @classmethod
    def _unique_levels(cls, levels: list[str]) -> list[str]:
        return list(dict.fromkeys(levels))

    @field_validator("allowed_countries")
    @classmethod
    def _country_codes(cls, countries: list[str]) -> list[str]:
        cleaned = [c.strip().upper() for c in countries if c.strip()]
        for country in cleaned:
            if not re.fullmatch(r"[A-Z]{2}", country, re.ASCII):
                raise ValueError(
                    f"{country[:10]!r} is not a two-letter country code such as US, DE or JP."
                )
        return list(dict.fromkeys(cleaned))


class RulesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    qualifying_levels: list[str]
    level_years: int
    min_earnings_amount: int
    min_growth_percent: int
    high_earnings_amount: int
    allowed_countries: list[str]
    grant_amount: int
    tranches: int
    currency: str
    updated_at: datetime


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    """The measurement year (January to December), over before a round can run."""
    share_price_amount: int = Field(
        le=100_000_000,
        description="The share price for the round, in cents: the last trading day's close.",
    )

    @field_validator("share_price_amount")
    @classmethod
    def _positive_price(cls, amount: int) -> int:
        if amount <= 0:
            raise ValueError(
                "The share price must be more than zero: enter the last trading day's close "
                "in cents (1234 for $12.34)."
            )
        return amount


class CheckOut(BaseModel):
    key: str
    label: str
    passed: bool
    figure: str
    """The freelancer's own figure against the bar, with what is missing when it fails."""


class AssessmentOut(BaseModel):
    user_id: UserIdOut
    handle: str
    display_name: str
    tranche: int | None
    eligible: bool
    earnings_amount: int
    """In cents: the measurement year (to date, while it runs)."""
    previous_earnings_amount: int
    """In cents: the year before."""
    growth_basis_points: int | None
    """Growth in hundredths of a percent; None when the year before earned nothing."""
    level_since: datetime | None
    country: str
    checks: list[CheckOut]
    lacking: list[str]
    """Keys of the checks that failed."""


class GrantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: GrantIdOut
    user_id: UserIdOut
    year: int
    tranche: int
    amount: int
    """In cents."""
    share_price_amount: int
    """In cents."""
    shares: int
    remainder_amount: int
    """In cents: what whole shares could not take."""
    currency: str
    evidence: dict[str, object]
    created_at: datetime


class RoundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: RoundIdOut
    year: int
    share_price_amount: int
    """In cents."""
    currency: str
    near_misses: list[dict[str, object]]
    """Who missed the bar and what they lacked, each check with its figure, as at the round."""
    created_at: datetime

    @field_serializer("near_misses")
    def _public_user_ids(self, near_misses: list[dict[str, object]]) -> list[dict[str, object]]:
        # The round keeps the row keys it read; an answer names each freelancer publicly.
        return [_with_public_user_id(miss) for miss in near_misses]


def _with_public_user_id(record: dict[str, object]) -> dict[str, object]:
    user_id = record.get("user_id")
    return {**record, "user_id": public_id("user", user_id)} if isinstance(user_id, int) else record


class RoundReportOut(BaseModel):
    year: int
    status: Literal["preview", "granted"]
    """preview: no round for the year yet, what one would grant now; granted: the round ran."""
    can_run: bool
    reason: str | None
    """Why a round cannot run now, when it cannot."""
    round: RoundOut | None
    grants: list[GrantOut]
    eligible: list[AssessmentOut]
    near_misses: list[AssessmentOut]


class TrancheOut(BaseModel):
    number: int
    year: int | None
    status: Literal[
        "granted", "forfeited", "awaiting_round", "in_progress", "upcoming", "not_started"
    ]
    needs: str
    grant: GrantOut | None


class ProgressOut(BaseModel):
    year: int
    currency: str
    earnings_amount: int
    """In cents, this year so far."""
    previous_earnings_amount: int
    """In cents, all of last year."""
    growth_basis_points: int | None
    min_earnings_amount: int
    """The bar, in cents."""
    to_bar_amount: int
    """In cents still to earn to reach the bar."""
    growth_target_amount: int
    """In cents: this year's earnings that make the growth the rules ask for."""
    to_growth_amount: int
    min_growth_percent: int
    high_earnings_amount: int
    tranche: int | None
    """The tranche this year counts for; None when the award is complete."""
    on_track: bool
    """Whether every rule passes on this year's figures so far."""
    checks: list[CheckOut]
    schedule: list[TrancheOut]
