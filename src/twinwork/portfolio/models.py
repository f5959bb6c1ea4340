"""A freelancer's work samples and the append-only, hash-chained record of every training read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin

SAMPLE_KINDS = ("text", "image", "audio")
SAMPLE_SOURCES = ("paste", "upload", "order")


class PortfolioSample(PublicIdMixin, Base):
    __tablename__ = "portfolio_samples"
    __public_kind__ = "sample"
    # The same work twice would weigh double in training and count twice against the limits.
    __table_args__ = (UniqueConstraint("owner_user_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default="text")
    title: Mapped[str] = mapped_column(String(120))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    # The text of a text sample; empty for a file, whose cleaned bytes live in object storage;
    # a recording's script (what is said in it).
    content: Mapped[str] = mapped_column(Text)
    # sha256 of the text, or of the stored (cleaned) file.
    content_hash: Mapped[str] = mapped_column(String(64))
    byte_size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str | None] = mapped_column(String(300), unique=True, nullable=True)
    media_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Pixels of a raster image; what an SVG declares (None when it declares none).
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Length of a recording as stored (cleaned: long pauses trimmed).
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(String(10), default="paste")
    ownership_attested: Mapped[bool] = mapped_column(Boolean)
    consent_to_train: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataUseRecord(Base):
    """One training run reading one sample. ``record_hash`` covers every field and the previous
    record's hash, so an edited, removed or reordered record breaks the chain."""

    __tablename__ = "data_use_records"
    # One chain per freelancer; a unique sequence means two writers can never fork it.
    __table_args__ = (UniqueConstraint("owner_user_id", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    # Plain ids, not foreign keys: the record outlives an erased model or a removed sample.
    sample_id: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    model_id: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(Integer, index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    record_hash: Mapped[str] = mapped_column(String(64))
