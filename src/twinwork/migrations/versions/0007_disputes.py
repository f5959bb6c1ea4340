"""disputes and requirements

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

Disputes on orders: opened by the buyer, resolved by an admin with a full or partial refund.
Orders gain the statuses "awaiting_requirements", "disputed" and "refunded" and keep their
package's delivery time; gigs gain the question they ask buyers after an order. Generations
made for a paid order are marked, so they do not use up the buyer's free previews.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('in_progress', 'delivered', 'completed', 'cancelled')"
NEW_STATUSES = (
    "status IN ('awaiting_requirements', 'in_progress', 'delivered', 'disputed', 'completed', "
    "'cancelled', 'refunded')"
)


def upgrade() -> None:
    # SQLite cannot alter a constraint or a column: batch mode copies the table.
    with op.batch_alter_table("orders", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_status"), type_="check")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=12), type_=sa.String(length=24)
        )
        batch_op.create_check_constraint(op.f("ck_orders_status"), NEW_STATUSES)
        batch_op.add_column(sa.Column("delivery_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("gigs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requirements", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("for_order", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "order_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("open_key", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("freelancer_response", sa.Text(), nullable=False),
        sa.Column("order_status_before", sa.String(length=24), nullable=False),
        sa.Column("refund_amount", sa.Integer(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.Column("resolved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("ledger_transaction_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'withdrawn', 'resolved')", name=op.f("ck_order_disputes_status")
        ),
        sa.CheckConstraint(
            "refund_amount IS NULL OR refund_amount >= 0",
            name=op.f("ck_order_disputes_refund_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_disputes_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_user_id"],
            ["users.id"],
            name=op.f("fk_order_disputes_resolved_by_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["ledger_transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_order_disputes_ledger_transaction_id_ledger_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_disputes")),
        sa.UniqueConstraint("open_key", name=op.f("uq_order_disputes_open_key")),
    )
    with op.batch_alter_table("order_disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_disputes_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_disputes_status"), ["status"], unique=False)


def downgrade() -> None:
    op.drop_table("order_disputes")
    with op.batch_alter_table("generations", schema=None) as batch_op:
        batch_op.drop_column("for_order")
    with op.batch_alter_table("gigs", schema=None) as batch_op:
        batch_op.drop_column("requirements")
    with op.batch_alter_table("orders", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_status"), type_="check")
        batch_op.drop_column("delivery_days")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=24), type_=sa.String(length=12)
        )
        batch_op.create_check_constraint(op.f("ck_orders_status"), OLD_STATUSES)
