"""file samples in the portfolio (designs; later audio)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30

A sample is text or a file: a file's cleaned bytes live in object storage under
``storage_key``, and the row records what it is. A personal model keeps its owner's
corrections to the plan (locked colours, excluded designs).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("portfolio_samples", schema=None) as batch_op:
        batch_op.add_column(sa.Column("storage_key", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("media_type", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("width", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("height", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_portfolio_samples_storage_key"), ["storage_key"]
        )
    with op.batch_alter_table("personal_models", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("plan_overrides", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("personal_models", schema=None) as batch_op:
        batch_op.drop_column("plan_overrides")
    with op.batch_alter_table("portfolio_samples", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_portfolio_samples_storage_key"), type_="unique")
        batch_op.drop_column("height")
        batch_op.drop_column("width")
        batch_op.drop_column("media_type")
        batch_op.drop_column("storage_key")
