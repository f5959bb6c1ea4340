"""the personal assistant's settings, FAQ and knowledge vectors

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30

Per-freelancer settings and FAQ entries; knowledge passages with their MiniLM vectors (bytes,
searched by brute-force cosine); the assistant's turns (one per buyer message, so a retried
hook never answers twice), its handovers with their summaries, and requirement drafts.
Conversations and messages are the inbox's: referred to by plain ids.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "assistant_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("new_clients_only", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("availability", sa.JSON(), nullable=False),
        sa.Column("out_of_office_until", sa.Date(), nullable=True),
        sa.Column("out_of_office_mode", sa.String(length=10), nullable=False),
        sa.Column("handover_keywords", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("never", sa.Text(), nullable=False),
        sa.Column("follow_up_hours", sa.Integer(), nullable=False),
        sa.Column("quiet_hours", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "out_of_office_mode IN ('note', 'silent')",
            name=op.f("ck_assistant_settings_ooo_mode"),
        ),
        sa.CheckConstraint(
            "follow_up_hours BETWEEN 1 AND 168", name=op.f("ck_assistant_settings_follow_up_hours")
        ),
        sa.CheckConstraint(
            "quiet_hours BETWEEN 0 AND 720", name=op.f("ck_assistant_settings_quiet_hours")
        ),
        _user_fk("assistant_settings", "user_id"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_assistant_settings")),
    )
    op.create_table(
        "assistant_faq_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("assistant_faq_entries", "user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_faq_entries")),
    )
    op.create_index(
        "ix_assistant_faq_entries_user_id_id", "assistant_faq_entries", ["user_id", "id"]
    )
    op.create_table(
        "assistant_knowledge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("assistant_knowledge", "user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_knowledge")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_assistant_knowledge_user_id")),
    )
    op.create_index("ix_assistant_knowledge_user_id", "assistant_knowledge", ["user_id"])
    op.create_table(
        "assistant_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("freelancer_user_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("why", sa.String(length=200), nullable=False),
        sa.Column("intents", sa.JSON(), nullable=False),
        sa.Column("tools", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("reply_message_id", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('answered', 'handed_over', 'out_of_office', 'silent')",
            name=op.f("ck_assistant_turns_outcome"),
        ),
        _user_fk("assistant_turns", "freelancer_user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_turns")),
        sa.UniqueConstraint("message_id", name=op.f("uq_assistant_turns_message_id")),
    )
    op.create_index(
        "ix_assistant_turns_conversation_id_id", "assistant_turns", ["conversation_id", "id"]
    )
    op.create_index(
        "ix_assistant_turns_freelancer_user_id", "assistant_turns", ["freelancer_user_id"]
    )
    op.create_table(
        "assistant_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("freelancer_user_id", sa.Integer(), nullable=False),
        sa.Column("buyer_user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("follow_up_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "reason IN ('human_requested', 'custom_offer', 'discount', 'refund', 'complaint', "
            "'keyword', 'never_does', 'rush', 'out_of_scope', 'low_confidence', 'unverified', "
            "'language')",
            name=op.f("ck_assistant_handovers_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'handed_back')",
            name=op.f("ck_assistant_handovers_status"),
        ),
        _user_fk("assistant_handovers", "freelancer_user_id"),
        _user_fk("assistant_handovers", "buyer_user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_handovers")),
    )
    op.create_index(
        "ix_assistant_handovers_conversation_id", "assistant_handovers", ["conversation_id"]
    )
    op.create_index(
        "ix_assistant_handovers_freelancer_status",
        "assistant_handovers",
        ["freelancer_user_id", "status"],
    )
    op.create_index(
        "ix_assistant_handovers_status_follow_up_due_at",
        "assistant_handovers",
        ["status", "follow_up_due_at"],
    )
    op.create_table(
        "assistant_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("freelancer_user_id", sa.Integer(), nullable=False),
        sa.Column("buyer_user_id", sa.Integer(), nullable=False),
        sa.Column("gig_id", sa.Integer(), nullable=True),
        sa.Column("package_name", sa.String(length=20), nullable=True),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'confirmed', 'dismissed')",
            name=op.f("ck_assistant_drafts_status"),
        ),
        _user_fk("assistant_drafts", "freelancer_user_id"),
        _user_fk("assistant_drafts", "buyer_user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_drafts")),
    )
    op.create_index("ix_assistant_drafts_conversation_id", "assistant_drafts", ["conversation_id"])
    op.create_index(
        "ix_assistant_drafts_freelancer_status",
        "assistant_drafts",
        ["freelancer_user_id", "status"],
    )


def downgrade() -> None:
    for table in (
        "assistant_drafts",
        "assistant_handovers",
        "assistant_turns",
        "assistant_knowledge",
        "assistant_faq_entries",
        "assistant_settings",
    ):
        op.drop_table(table)
