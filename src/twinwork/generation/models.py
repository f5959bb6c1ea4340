"""What buyers generate from personal models, what they bought, and the proof of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin


class Generation(PublicIdMixin, Base):
    __tablename__ = "generations"
    __public_kind__ = "generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(
        ForeignKey("personal_models.id", ondelete="RESTRICT"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id", ondelete="RESTRICT"))
    buyer_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    brief: Mapped[str] = mapped_column(Text)
    # The full text is kept server-side and released only on purchase.
    text: Mapped[str] = mapped_column(Text)
    preview: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The terms quoted with the preview: the buyer pays what they were shown.
    price_amount: Mapped[int] = mapped_column(Integer)
    """In cents."""
    currency: Mapped[str] = mapped_column(String(3))
    license_scope: Mapped[str] = mapped_column(String(12))
    license_exclusive: Mapped[bool] = mapped_column(Boolean)
    purchased: Mapped[bool] = mapped_column(Boolean, default=False)
    # Made for a paid order (AI or hybrid): not a free preview, so not counted against the
    # buyer's daily allowance.
    for_order: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    file_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many files the buyer gets (not counting the zip of them all); 0 for text."""
    certificate_id: Mapped[str | None] = mapped_column(String(36), default=None)
    """The id the ownership certificate will have, chosen when the files are signed (their
    content credentials link to it); None for text, whose certificate gets one on purchase."""


class GenerationFile(Base):
    """One stored file of a generation: a watermarked preview copy (``is_preview``), a full
    file (signed with content credentials where its type allows), or the zip of the full
    files (``is_archive``). Full files and the zip are served only once the generation is
    bought."""

    __tablename__ = "generation_files"
    __table_args__ = (UniqueConstraint("generation_id", "is_preview", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation_id: Mapped[int] = mapped_column(
        ForeignKey("generations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(80))
    byte_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    """Of the stored bytes (for a signed file: after signing)."""
    manifest_hash: Mapped[str | None] = mapped_column(String(80), default=None)
    """The fingerprint of its C2PA manifest; None for a file that carries none (SVG, zip,
    previews)."""
    storage_key: Mapped[str] = mapped_column(String(400), unique=True)
    is_preview: Mapped[bool] = mapped_column(Boolean)
    is_archive: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer)
    """The order a buyer reads them in (the modality's)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Licence(PublicIdMixin, Base):
    __tablename__ = "licences"
    __public_kind__ = "licence"
    __table_args__ = (UniqueConstraint("buyer_user_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Unique: one purchase per generation, whatever keys the retries carry.
    generation_id: Mapped[int] = mapped_column(
        ForeignKey("generations.id", ondelete="RESTRICT"), unique=True
    )
    buyer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    model_id: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(12))
    exclusive: Mapped[bool] = mapped_column(Boolean)
    price_amount: Mapped[int] = mapped_column(Integer)
    fee_amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str] = mapped_column(String(120))
    ledger_transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT")
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(PublicIdMixin, Base):
    __tablename__ = "certificates"
    __public_kind__ = "certificate"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    licence_id: Mapped[int] = mapped_column(
        ForeignKey("licences.id", ondelete="RESTRICT"), unique=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
