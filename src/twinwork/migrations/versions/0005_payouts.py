"""payouts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Freelancer payouts: requested, processing, paid or failed, one per request key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("bank_account", sa.String(length=34), nullable=False),
        sa.Column("request_key", sa.String(length=120), nullable=False),
        sa.Column("transfer_key", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("failure_message", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_payouts_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("transfer_key", name=op.f("uq_payouts_transfer_key")),
        sa.UniqueConstraint("user_id", "request_key", name=op.f("uq_payouts_user_id")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payouts_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_payouts_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_user_id"))
        batch_op.drop_index(batch_op.f("ix_payouts_status"))

    op.drop_table("payouts")
