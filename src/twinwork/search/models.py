from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, UTCDateTime, utcnow


class SearchEvent(Base):
    """One search, as the Trends Index sees it: never tied to a user id.

    ``session_hash`` is a keyed hash of a random browser cookie (or of the API token), so
    repeated searches of one visitor can be told apart from many visitors without saying who.
    """

    __tablename__ = "search_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    raw_query: Mapped[str] = mapped_column(String(200))
    term: Mapped[str] = mapped_column(String(100), index=True)
    category_slug: Mapped[str | None] = mapped_column(String(60), nullable=True)
    result_count: Mapped[int] = mapped_column(Integer)
    session_hash: Mapped[str] = mapped_column(String(32))
