"""Daily and monthly rollups of the search log, the watermark of what is rolled up, synonyms.

Monthly rows are sums of the daily ones, kept so the index reads about a dozen rows per term
for a year instead of 365. A window's ragged edges (it starts on the 16th) come from the
daily rows' month-to-date sums: one day's rows, not half a month of them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, StrEnumType, UTCDateTime, utcnow


class Dimension(StrEnum):
    TERM = "term"
    CATEGORY = "category"


class TrendDaily(Base):
    __tablename__ = "trend_daily"
    # A term's page reads its days across the whole history. Not (dimension, key, day): SQLite
    # would prefer that for the index's range of days and read every row of the dimension.
    __table_args__ = (Index("ix_trend_daily_key_day", "key", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[Dimension] = mapped_column(StrEnumType(Dimension, 10), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    """The normalised term (``terms.term_key``) or the category slug."""
    searches: Mapped[int] = mapped_column(Integer)
    month_to_date: Mapped[int] = mapped_column(Integer)
    """Searches from the first of the month through this day. Every key searched earlier in
    the month has a row on each later rolled-up day (``searches`` 0 then), so one day's rows
    give every key's month-to-date sum."""


class TrendMonthly(Base):
    __tablename__ = "trend_monthly"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    """The first day of the month."""
    dimension: Mapped[Dimension] = mapped_column(StrEnumType(Dimension, 10), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer)


class TrendDay(Base):
    """One rolled-up day of the search log: its total (for shares of all searches) and the
    version of the exported file it came from, the watermark that says whether the day must
    be rolled up again."""

    __tablename__ = "trend_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    searches: Mapped[int] = mapped_column(Integer)
    source_version: Mapped[str] = mapped_column(String(120))
    rolled_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrendSynonym(Base):
    """An operator's rule: searches for ``variant`` count as searches for ``canonical``."""

    __tablename__ = "trend_synonyms"

    variant: Mapped[str] = mapped_column(String(100), primary_key=True)
    canonical: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
