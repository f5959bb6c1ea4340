"""orders

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

Human, AI and hybrid orders with deliveries, revision requests and reviews; the refinement
price of a personal model for hybrid work.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_user_id", sa.Integer(), nullable=False),
        sa.Column("freelancer_user_id", sa.Integer(), nullable=False),
        sa.Column("gig_id", sa.Integer(), nullable=True),
        sa.Column("package_name", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("price_amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("revisions_allowed", sa.Integer(), nullable=False),
        sa.Column("revisions_used", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("generation_id", sa.Integer(), nullable=True),
        sa.Column("request_key", sa.String(length=120), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("auto_accept_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('human', 'ai', 'hybrid')", name=op.f("ck_orders_kind")),
        sa.CheckConstraint(
            "status IN ('in_progress', 'delivered', 'completed', 'cancelled')",
            name=op.f("ck_orders_status"),
        ),
        sa.CheckConstraint("price_amount > 0", name=op.f("ck_orders_price_positive")),
        sa.ForeignKeyConstraint(
            ["buyer_user_id"],
            ["users.id"],
            name=op.f("fk_orders_buyer_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["freelancer_user_id"],
            ["users.id"],
            name=op.f("fk_orders_freelancer_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gigs.id"], name=op.f("fk_orders_gig_id_gigs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("buyer_user_id", "request_key", name=op.f("uq_orders_buyer_user_id")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_orders_auto_accept_at"), ["auto_accept_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_orders_buyer_user_id"), ["buyer_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_orders_freelancer_user_id"), ["freelancer_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)

    op.create_table(
        "order_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("made_by", sa.String(length=10), nullable=False),
        sa.Column("is_draft", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("disclosure", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_deliveries_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_deliveries")),
    )
    with op.batch_alter_table("order_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_deliveries_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "order_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("freelancer_user_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["freelancer_user_id"],
            ["users.id"],
            name=op.f("fk_order_reviews_freelancer_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_reviews_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_reviews")),
        sa.UniqueConstraint("order_id", name=op.f("uq_order_reviews_order_id")),
    )
    with op.batch_alter_table("order_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_reviews_freelancer_user_id"), ["freelancer_user_id"], unique=False
        )

    op.create_table(
        "order_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_revisions_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_revisions")),
    )
    with op.batch_alter_table("order_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_revisions_order_id"), ["order_id"], unique=False)

    with op.batch_alter_table("personal_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refinement_price_amount", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("personal_models", schema=None) as batch_op:
        batch_op.drop_column("refinement_price_amount")

    with op.batch_alter_table("order_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_revisions_order_id"))

    op.drop_table("order_revisions")
    with op.batch_alter_table("order_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_reviews_freelancer_user_id"))

    op.drop_table("order_reviews")
    with op.batch_alter_table("order_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_deliveries_order_id"))

    op.drop_table("order_deliveries")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_status"))
        batch_op.drop_index(batch_op.f("ix_orders_freelancer_user_id"))
        batch_op.drop_index(batch_op.f("ix_orders_buyer_user_id"))
        batch_op.drop_index(batch_op.f("ix_orders_auto_accept_at"))

    op.drop_table("orders")
