from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from twinwork.account.models import User
from twinwork.kit.db import Base, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin

LEVELS = ("new", "level_1", "level_2", "top_rated", "pro")
LEVEL_LABELS = {
    "new": "New seller",
    "level_1": "Level 1",
    "level_2": "Level 2",
    "top_rated": "Top rated",
    "pro": "Pro",
}
GIG_STATUSES = ("draft", "published", "paused")
PACKAGE_NAMES = ("basic", "standard", "premium")


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    group: Mapped[str] = mapped_column(String(20))  # "classic" or "ai"
    description: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)


class FreelancerProfile(Base):
    __tablename__ = "freelancer_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    handle: Mapped[str] = mapped_column(String(40), unique=True)
    headline: Mapped[str] = mapped_column(String(80), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    ai_tools: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The AI tools the freelancer works with (``catalog.ai_tools``): names from the fixed
    vocabulary in its spelling, then checked free entries."""
    # Derived from ai_tools on every save, so search can filter on it cheaply.
    works_with_ai: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    level: Mapped[str] = mapped_column(String(20), default="new")
    country: Mapped[str] = mapped_column(String(2), default="")
    rating: Mapped[float] = mapped_column(Float, default=0.0)
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A square picture in object storage (see catalog.gallery); a new key on every upload.
    avatar_key: Mapped[str | None] = mapped_column(String(300), nullable=True)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def display_name(self) -> str:
        return self.user.display_name

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


class SellerLevelChange(Base):
    """A seller level held from ``changed_at`` until the next change: the history that
    "held a level for a year" is read from (the profile keeps only the current level).
    Append-only; written wherever catalog changes a level."""

    __tablename__ = "seller_level_changes"
    __table_args__ = (Index("ix_seller_level_changes_user_id_changed_at", "user_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("freelancer_profiles.user_id", ondelete="CASCADE")
    )
    level: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Gig(PublicIdMixin, Base):
    __tablename__ = "gigs"
    __public_kind__ = "gig"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'paused')", name="status"),
        Index("ix_gigs_status_category", "status", "category_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    freelancer_id: Mapped[int] = mapped_column(
        ForeignKey("freelancer_profiles.user_id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    requirements: Mapped[str] = mapped_column(Text, default="")
    """What the freelancer asks every buyer after an order ("your story, names, the mood");
    empty when the brief given with the order is enough."""
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Tags as one string, so the full-text index can cover them.
    tags_text: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # Derived from the packages on every save; kept here so search can filter and sort cheaply.
    starting_price_amount: Mapped[int] = mapped_column(Integer, default=0)
    """Lowest package price, in cents."""
    fastest_delivery_days: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The first gallery picture, kept here so search results and cards show it without
    # reading the gallery (catalog.gallery keeps it in step).
    cover_image_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    category: Mapped[Category] = relationship(lazy="joined")
    freelancer: Mapped[FreelancerProfile] = relationship(lazy="joined")
    packages: Mapped[list[GigPackage]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="GigPackage.position",
    )

    def package(self, name: str) -> GigPackage | None:
        return next((p for p in self.packages if p.name == name), None)


class GigPackage(Base):
    __tablename__ = "gig_packages"
    __table_args__ = (
        UniqueConstraint("gig_id", "name"),
        CheckConstraint("price_amount > 0", name="price_positive"),
        CheckConstraint("delivery_days > 0", name="delivery_positive"),
        CheckConstraint("revisions >= 0", name="revisions_non_negative"),
        CheckConstraint("ai_price_amount IS NULL OR ai_price_amount > 0", name="ai_price_positive"),
        CheckConstraint(
            "hybrid_price_amount IS NULL OR hybrid_price_amount > 0", name="hybrid_price_positive"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(String(300), default="")
    price_amount: Mapped[int] = mapped_column(Integer)
    """Price of the package, in cents."""
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    delivery_days: Mapped[int] = mapped_column(Integer)
    revisions: Mapped[int] = mapped_column(Integer)
    # The package made the other two ways, when the freelancer has an active AI model
    # (``catalog.offer``): NULL follows the model's own prices.
    ai_price_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Price of this package generated by the freelancer's AI model, in cents; NULL: the
    model's per-use price."""
    hybrid_price_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Price of this package as an AI draft refined by hand, in cents; NULL: the model's
    per-use price plus its refinement price (no hybrid if the model has none)."""


class GigImage(PublicIdMixin, Base):
    """One gallery picture of a gig, stored twice: resized for the gig page (``large_key``)
    and for cards (``card_key``); both re-encoded with no metadata (see catalog.gallery)."""

    __tablename__ = "gig_images"
    __public_kind__ = "image"
    __table_args__ = (
        # The same picture twice would only repeat itself in the gallery.
        UniqueConstraint("gig_id", "content_hash"),
        Index("ix_gig_images_gig_id_position", "gig_id", "position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gig_id: Mapped[int] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    large_key: Mapped[str] = mapped_column(String(300), unique=True)
    card_key: Mapped[str] = mapped_column(String(300), unique=True)
    media_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    """Of the page-sized copy."""
    content_hash: Mapped[str] = mapped_column(String(64))
    alt_text: Mapped[str] = mapped_column(String(120), default="")
    # A plain id, not a key: removing the portfolio sample leaves the gig's copy in place.
    portfolio_sample_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
