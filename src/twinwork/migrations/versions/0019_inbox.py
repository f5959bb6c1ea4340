"""conversations, messages, attachments and custom offers

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30

The inbox: one conversation per (buyer, freelancer, subject), its messages with their author
kind (buyer, freelancer, assistant), attachments stored in object storage, and custom offers
that become orders with escrow.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete="RESTRICT",
    )


def upgrade() -> None:
    op.create_table(
        "inbox_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_user_id", sa.Integer(), nullable=False),
        sa.Column("freelancer_user_id", sa.Integer(), nullable=False),
        sa.Column("subject_key", sa.String(length=40), nullable=False),
        sa.Column("gig_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("assistant_state", sa.String(length=16), nullable=False),
        sa.Column("handover_reason", sa.String(length=60), nullable=True),
        sa.Column("handover_summary", sa.Text(), nullable=True),
        sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("buyer_read_id", sa.Integer(), nullable=False),
        sa.Column("freelancer_read_id", sa.Integer(), nullable=False),
        sa.Column("buyer_emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("freelancer_emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "assistant_state IN ('active', 'handed_over', 'paused')",
            name=op.f("ck_inbox_conversations_assistant_state"),
        ),
        sa.CheckConstraint(
            "buyer_user_id <> freelancer_user_id", name=op.f("ck_inbox_conversations_two_parties")
        ),
        _fk("inbox_conversations", "buyer_user_id", "users.id"),
        _fk("inbox_conversations", "freelancer_user_id", "users.id"),
        _fk("inbox_conversations", "gig_id", "gigs.id"),
        _fk("inbox_conversations", "order_id", "orders.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_conversations")),
        sa.UniqueConstraint(
            "buyer_user_id",
            "freelancer_user_id",
            "subject_key",
            name=op.f("uq_inbox_conversations_buyer_user_id"),
        ),
    )
    with op.batch_alter_table("inbox_conversations", schema=None) as batch_op:
        for column in ("buyer_user_id", "freelancer_user_id", "order_id", "last_message_at"):
            batch_op.create_index(
                batch_op.f(f"ix_inbox_conversations_{column}"), [column], unique=False
            )

    op.create_table(
        "inbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_kind", sa.String(length=12), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "author_kind IN ('buyer', 'freelancer', 'assistant')",
            name=op.f("ck_inbox_messages_author_kind"),
        ),
        _fk("inbox_messages", "conversation_id", "inbox_conversations.id"),
        _fk("inbox_messages", "author_user_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_messages")),
    )
    with op.batch_alter_table("inbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbox_messages_conversation_id_id", ["conversation_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_inbox_messages_author_user_id_created_at",
            ["author_user_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "inbox_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("inbox_attachments", "message_id", "inbox_messages.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_attachments")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_inbox_attachments_storage_key")),
    )
    with op.batch_alter_table("inbox_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_attachments_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "inbox_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("delivery_days", sa.Integer(), nullable=False),
        sa.Column("revisions", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("accept_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'withdrawn', 'declined')",
            name=op.f("ck_inbox_offers_status"),
        ),
        sa.CheckConstraint("kind IN ('human', 'ai', 'hybrid')", name=op.f("ck_inbox_offers_kind")),
        sa.CheckConstraint("price_amount > 0", name=op.f("ck_inbox_offers_price_positive")),
        sa.CheckConstraint(
            "delivery_days > 0", name=op.f("ck_inbox_offers_delivery_days_positive")
        ),
        sa.CheckConstraint("revisions >= 0", name=op.f("ck_inbox_offers_revisions_not_negative")),
        _fk("inbox_offers", "conversation_id", "inbox_conversations.id"),
        _fk("inbox_offers", "order_id", "orders.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_offers")),
        sa.UniqueConstraint("order_id", name=op.f("uq_inbox_offers_order_id")),
    )
    with op.batch_alter_table("inbox_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_offers_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("inbox_offers")
    op.drop_table("inbox_attachments")
    op.drop_table("inbox_messages")
    op.drop_table("inbox_conversations")
