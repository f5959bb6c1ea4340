"""delivery files

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23

Files handed over with an order's delivery; their bytes live in object storage.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_delivery_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["order_deliveries.id"],
            name=op.f("fk_order_delivery_files_delivery_id_order_deliveries"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_delivery_files")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_order_delivery_files_storage_key")),
    )
    with op.batch_alter_table("order_delivery_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_delivery_files_delivery_id"), ["delivery_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("order_delivery_files")
