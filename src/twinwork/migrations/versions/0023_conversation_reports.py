"""conversation reports, and the claim on an offer being paid

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30

A buyer or a freelancer reports a conversation (a reason from a fixed list, a note); an
operator reads the conversation while the report is open and resolves it, which ends the
access. One open report per reporter and conversation (a partial unique index, on SQLite and
PostgreSQL alike). An offer paid by card at acceptance is claimed first by the paying request
(``accept_key`` written while it is open, with ``accept_started_at``), so two requests never
charge a card twice for one offer. A handed-over conversation records when the freelancer
answered it (``handover_answered_at``): it no longer needs them, and the assistant still
stays quiet there until handed back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("reporter_user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "reason IN ('spam', 'harassment', 'scam', 'inappropriate', 'personal_data', 'other')",
            name=op.f("ck_inbox_reports_reason"),
        ),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_inbox_reports_status")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["inbox_conversations.id"],
            name=op.f("fk_inbox_reports_conversation_id_inbox_conversations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_user_id"],
            ["users.id"],
            name=op.f("fk_inbox_reports_reporter_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_user_id"],
            ["users.id"],
            name=op.f("fk_inbox_reports_resolved_by_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_reports")),
    )
    op.create_index("ix_inbox_reports_conversation_id", "inbox_reports", ["conversation_id"])
    op.create_index("ix_inbox_reports_status_id", "inbox_reports", ["status", "id"])
    op.create_index(
        "uq_inbox_reports_open_per_reporter",
        "inbox_reports",
        ["conversation_id", "reporter_user_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    with op.batch_alter_table("inbox_offers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("accept_started_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("inbox_conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handover_answered_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("inbox_conversations", schema=None) as batch_op:
        batch_op.drop_column("handover_answered_at")
    with op.batch_alter_table("inbox_offers", schema=None) as batch_op:
        batch_op.drop_column("accept_started_at")
    op.drop_index("uq_inbox_reports_open_per_reporter", table_name="inbox_reports")
    op.drop_index("ix_inbox_reports_status_id", table_name="inbox_reports")
    op.drop_index("ix_inbox_reports_conversation_id", table_name="inbox_reports")
    op.drop_table("inbox_reports")
