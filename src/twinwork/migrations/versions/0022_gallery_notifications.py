"""gig galleries, profile avatars and in-app notifications

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30

A gig has ordered pictures (each stored twice, resized for the page and for cards, metadata
stripped); the first one's id is kept on the gig so search results and cards show it without
another query. A profile may have an avatar. Notifications are rows per person, unread until
opened, each e-mailed once (``emailed_at``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gig_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gig_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("large_key", sa.String(length=300), nullable=False),
        sa.Column("card_key", sa.String(length=300), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("alt_text", sa.String(length=120), nullable=False),
        sa.Column("portfolio_sample_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gigs.id"], name="fk_gig_images_gig_id_gigs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_gig_images"),
        sa.UniqueConstraint("gig_id", "content_hash", name="uq_gig_images_gig_id"),
        sa.UniqueConstraint("large_key", name="uq_gig_images_large_key"),
        sa.UniqueConstraint("card_key", name="uq_gig_images_card_key"),
    )
    op.create_index("ix_gig_images_gig_id_position", "gig_images", ["gig_id", "position"])
    with op.batch_alter_table("gigs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_image_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("freelancer_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("avatar_key", sa.String(length=300), nullable=True))

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_notifications_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_id"),
    )
    op.create_index("ix_notifications_user_id_read_at", "notifications", ["user_id", "read_at"])
    op.create_index("ix_notifications_user_id_id", "notifications", ["user_id", "id"])
    # The e-mail sweep looks for the few not yet sent.
    op.create_index("ix_notifications_emailed_at", "notifications", ["emailed_at"])


def downgrade() -> None:
    op.drop_index("ix_notifications_emailed_at", table_name="notifications")
    op.drop_index("ix_notifications_user_id_id", table_name="notifications")
    op.drop_index("ix_notifications_user_id_read_at", table_name="notifications")
    op.drop_table("notifications")
    with op.batch_alter_table("freelancer_profiles", schema=None) as batch_op:
        batch_op.drop_column("avatar_key")
    with op.batch_alter_table("gigs", schema=None) as batch_op:
        batch_op.drop_column("cover_image_id")
    op.drop_index("ix_gig_images_gig_id_position", table_name="gig_images")
    op.drop_table("gig_images")
