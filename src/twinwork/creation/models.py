"""A freelancer's personal model, its training runs and the versions they produce."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from twinwork.kit.db import Base, StrEnumType, UTCDateTime, utcnow
from twinwork.kit.public_ids import PublicIdMixin


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
LICENSE_SCOPES = ("personal", "commercial")


class PersonalModel(PublicIdMixin, Base):
    __tablename__ = "personal_models"
    __public_kind__ = "model"
    __table_args__ = (
        CheckConstraint("price_amount IS NULL OR price_amount > 0", name="price_positive"),
        CheckConstraint("license_scope IN ('personal', 'commercial')", name="license_scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    modality: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    # A plain id (no foreign key): versions point at their model, and a cycle of foreign keys
    # would make inserts and SQLite's batch migrations needlessly awkward.
    approved_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    price_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # Hybrid orders: the freelancer's price for refining the model's draft by hand, in cents.
    refinement_price_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    license_scope: Mapped[str] = mapped_column(String(12), default="personal")
    license_exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    # The owner's corrections to what training learns, as fields of the modality's plan
    # (a design model's locked colours and excluded designs); applied to every new run.
    plan_overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def status(self) -> str:
        if self.erased_at is not None:
            return "erased"
        if self.approved_version_id is None:
            return "draft"
        return "active" if self.is_active else "inactive"


class TrainingRun(PublicIdMixin, Base):
    __tablename__ = "training_runs"
    __public_kind__ = "run"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{s}'" for s in RunStatus)), name="status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(
        ForeignKey("personal_models.id", ondelete="RESTRICT"), index=True
    )
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[RunStatus] = mapped_column(
        StrEnumType(RunStatus, 12), default=RunStatus.QUEUED, index=True
    )
    # Frozen when the run is created: the exact samples it may read, nothing else.
    sample_ids: Mapped[list[int]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Free text from the trainer ("loading", "training", "evaluating", ...) and, once the run
    # ends, its status: not an enum.
    phase: Mapped[str] = mapped_column(String(12), default="queued")
    step: Mapped[int] = mapped_column(Integer, default=0)
    total_steps: Mapped[int] = mapped_column(Integer, default=0)
    loss: Mapped[float | None] = mapped_column(Float, nullable=True)
    eta_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Written with every progress report: a running run whose heartbeat stops is stale.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def progress(self) -> float:
        if self.status == RunStatus.SUCCEEDED:
            return 1.0
        return 0.0 if not self.total_steps else min(1.0, self.step / self.total_steps)


class ModelVersion(PublicIdMixin, Base):
    __tablename__ = "model_versions"
    __public_kind__ = "version"
    __table_args__ = (UniqueConstraint("model_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(
        ForeignKey("personal_models.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(ForeignKey("training_runs.id", ondelete="RESTRICT"))
    base_model_id: Mapped[str] = mapped_column(String(200))
    # Storage key prefix of the adapter files and the hash over all of them.
    artifact_key: Mapped[str] = mapped_column(String(200))
    artifact_hash: Mapped[str] = mapped_column(String(64))
    artifact_bytes: Mapped[int] = mapped_column(Integer)
    # [{"id": 1, "content_hash": "..."}, ...]: exactly what this version learned from.
    training_samples: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    heldout_samples: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    hyperparameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    metrics: Mapped[dict[str, float]] = mapped_column(JSON)
    evaluation_outputs: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    train_seconds: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ErasureReceipt(PublicIdMixin, Base):
    """What erasing a model deleted, signed by the platform; kept after the model is gone."""

    __tablename__ = "erasure_receipts"
    __public_kind__ = "erasure"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    model_id: Mapped[int] = mapped_column(
        ForeignKey("personal_models.id", ondelete="RESTRICT"), unique=True
    )
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
