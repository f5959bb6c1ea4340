"""program seats

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

The creation program's seats: eligibility rules (one row) and applications. Every live member
from before is admitted on a seat of their own, so no member loses anything.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rules = op.create_table(
        "program_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("min_level", sa.String(length=20), nullable=False),
        sa.Column("min_rating", sa.Float(), nullable=False),
        sa.Column("min_completed_orders", sa.Integer(), nullable=False),
        sa.Column("min_consented_samples", sa.Integer(), nullable=False),
        sa.Column("seat_limit", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "min_rating >= 0 AND min_completed_orders >= 0 AND min_consented_samples >= 0 "
            "AND seat_limit >= 0",
            name=op.f("ck_program_rules_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_user_id"],
            ["users.id"],
            name=op.f("fk_program_rules_updated_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_rules")),
    )
    applications = op.create_table(
        "program_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("open_key", sa.Integer(), nullable=True),
        sa.Column("route", sa.String(length=20), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.Column("invited_email", sa.String(length=320), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seat_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_program_applications_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_program_applications_decided_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_applications")),
        sa.UniqueConstraint("open_key", name=op.f("uq_program_applications_open_key")),
    )
    with op.batch_alter_table("program_applications") as batch:
        batch.create_index(batch.f("ix_program_applications_user_id"), ["user_id"])
        batch.create_index(batch.f("ix_program_applications_status"), ["status"])
        batch.create_index(batch.f("ix_program_applications_created_at"), ["created_at"])

    now = datetime.now(UTC)
    op.bulk_insert(
        rules,
        [
            {
                "id": 1,
                "min_level": "level_2",
                "min_rating": 4.5,
                "min_completed_orders": 10,
                "min_consented_samples": 5,
                "seat_limit": int(os.environ.get("TWINWORK_PROGRAM_SEAT_LIMIT", "5000")),
                "updated_at": now,
                "updated_by_user_id": None,
            }
        ],
    )
    # Existing members keep their seats: one joined application each.
    members = op.get_bind().execute(
        sa.text(
            "SELECT DISTINCT user_id FROM program_subscriptions "
            "WHERE status IN ('active', 'past_due') ORDER BY user_id"
        )
    )
    op.bulk_insert(
        applications,
        [
            {
                "user_id": user_id,
                "status": "joined",
                "open_key": user_id,
                "route": "existing_member",
                "evidence": [],
                "created_at": now,
                "decided_at": now,
                "admitted_at": now,
            }
            for (user_id,) in members
        ],
    )


def downgrade() -> None:
    op.drop_table("program_applications")
    op.drop_table("program_rules")
