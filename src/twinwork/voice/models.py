"""Voice verification: a random sentence the freelancer said, matched against the portfolio's
recordings by the speaker encoder; and which verification each training run relied on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, UTCDateTime, utcnow


class VoiceVerification(Base):
    """One phrase shown to the freelancer, and the recording sent for it once sent."""

    __tablename__ = "voice_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(
        ForeignKey("personal_models.id", ondelete="CASCADE"), index=True
    )
    owner_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    phrase: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Filled in when a recording is sent for the phrase. The recording itself is not kept:
    # its hash and the match are the evidence.
    recording_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    similarity: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    compared_samples: Mapped[int | None] = mapped_column(Integer, nullable=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class VoiceRunEvidence(Base):
    """The verification a training run started on: shown with the version it made."""

    __tablename__ = "voice_run_evidence"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("training_runs.id", ondelete="CASCADE"), primary_key=True
    )
    verification_id: Mapped[int] = mapped_column(
        ForeignKey("voice_verifications.id", ondelete="CASCADE"), index=True
    )
    recorded_seconds: Mapped[float] = mapped_column(Float)
    """Consented recording time the run was started with."""
