"""trends: daily search rollups, synonyms

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

Daily and monthly rollups of the exported search log (per normalised term and per category),
the rolled-up days with the version of the file each came from (the rollup job's watermark),
and the operators' synonym table, applied when the index is read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trend_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("month_to_date", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "dimension", "key", name="pk_trend_daily"),
    )
    # A term's page reads its days across the whole history. Not (dimension, key, day): SQLite
    # would prefer that for the index's range of days and read every row of the dimension.
    op.create_index("ix_trend_daily_key_day", "trend_daily", ["key", "day"])
    op.create_table(
        "trend_monthly",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "dimension", "key", name="pk_trend_monthly"),
    )
    op.create_table(
        "trend_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("source_version", sa.String(length=120), nullable=False),
        sa.Column("rolled_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_trend_days"),
    )
    op.create_table(
        "trend_synonyms",
        sa.Column("variant", sa.String(length=100), nullable=False),
        sa.Column("canonical", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("variant", name="pk_trend_synonyms"),
    )


def downgrade() -> None:
    op.drop_table("trend_synonyms")
    op.drop_table("trend_days")
    op.drop_table("trend_monthly")
    with op.batch_alter_table("trend_daily") as batch:
        batch.drop_index("ix_trend_daily_key_day")
    op.drop_table("trend_daily")
