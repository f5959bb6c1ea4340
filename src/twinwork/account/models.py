from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin


class User(PublicIdMixin, Base):
    __tablename__ = "users"
    __public_kind__ = "user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(60))
    is_buyer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_freelancer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def roles(self) -> list[str]:
        flags = (("buyer", self.is_buyer), ("freelancer", self.is_freelancer))
        roles = [name for name, on in flags if on]
        if self.is_admin:
            roles.append("admin")
        return roles


class UserSession(Base):
    """A browser sign-in. The cookie holds the token; the table holds only its digest."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(PublicIdMixin, Base):
    """A bearer token for the JSON API, stored as a digest."""

    __tablename__ = "api_tokens"
    __public_kind__ = "token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Refused from then on (TWINWORK_API_TOKEN_DAYS after issue).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
