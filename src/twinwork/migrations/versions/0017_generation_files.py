"""files a generation makes (designs; later audio), previews and content credentials

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("file_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("certificate_id", sa.String(length=36), nullable=True))

    op.create_table(
        "generation_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("media_type", sa.String(length=80), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("manifest_hash", sa.String(length=80), nullable=True),
        sa.Column("storage_key", sa.String(length=400), nullable=False),
        sa.Column("is_preview", sa.Boolean(), nullable=False),
        sa.Column("is_archive", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["generation_id"],
            ["generations.id"],
            name=op.f("fk_generation_files_generation_id_generations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generation_files")),
        sa.UniqueConstraint(
            "generation_id", "is_preview", "name", name=op.f("uq_generation_files_generation_id")
        ),
        sa.UniqueConstraint("storage_key", name=op.f("uq_generation_files_storage_key")),
    )
    with op.batch_alter_table("generation_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_generation_files_generation_id"), ["generation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("generation_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_generation_files_generation_id"))
    op.drop_table("generation_files")
    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.drop_column("certificate_id")
        batch_op.drop_column("file_count")
