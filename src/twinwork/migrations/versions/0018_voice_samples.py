"""voice recordings in the portfolio, voice verification evidence

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30

A recording is a file sample (kind "audio") whose script is its ``content`` and whose cleaned
length is ``duration_ms``. A voice model is verified before it trains: each phrase shown and
the hash of the recording sent for it and its match are kept (not the recording), and each
training run names the verification it relied on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("portfolio_samples", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_ms", sa.Integer(), nullable=True))

    op.create_table(
        "voice_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recording_hash", sa.String(length=64), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("compared_samples", sa.Integer(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["personal_models.id"],
            name=op.f("fk_voice_verifications_model_id_personal_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"],
            ["users.id"],
            name=op.f("fk_voice_verifications_owner_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_verifications")),
    )
    with op.batch_alter_table("voice_verifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_verifications_model_id"), ["model_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_voice_verifications_owner_user_id"), ["owner_user_id"], unique=False
        )

    op.create_table(
        "voice_run_evidence",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=False),
        sa.Column("recorded_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["training_runs.id"],
            name=op.f("fk_voice_run_evidence_run_id_training_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["voice_verifications.id"],
            name=op.f("fk_voice_run_evidence_verification_id_voice_verifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_voice_run_evidence")),
    )
    with op.batch_alter_table("voice_run_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voice_run_evidence_verification_id"), ["verification_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("voice_run_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_run_evidence_verification_id"))
    op.drop_table("voice_run_evidence")
    with op.batch_alter_table("voice_verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_verifications_owner_user_id"))
        batch_op.drop_index(batch_op.f("ix_voice_verifications_model_id"))
    op.drop_table("voice_verifications")
    with op.batch_alter_table("portfolio_samples", schema=None) as batch_op:
        batch_op.drop_column("duration_ms")
