"""marketplace core

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Users, sessions and API tokens; categories, freelancer profiles, gigs and packages; the
search log; full-text search (SQLite FTS5 or a PostgreSQL tsvector column).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when the application code does.
CATEGORIES = [
    # (slug, name, group, description)
    ("voice-over", "Voice-over", "classic", "Narration, commercials, explainers and characters."),
    ("graphic-design", "Graphic design", "classic", "Ads, social posts, print and brand assets."),
    ("logo-design", "Logo design", "classic", "Logos, marks and small brand identities."),
    ("song-lyrics", "Song lyrics", "classic", "Original lyrics, hooks and toplines."),
    ("copywriting", "Copywriting", "classic", "Ad copy, product pages, email and taglines."),
    ("illustration", "Illustration", "classic", "Editorial, children's books, icons and mascots."),
    ("video-editing", "Video editing", "classic", "Cuts, colour, captions and motion for video."),
    (
        "web-development",
        "Web development",
        "classic",
        "Websites, web apps, fixes and integrations.",
    ),
    (
        "ai-agent-development",
        "AI agent development",
        "ai",
        "Agents and assistants that take actions.",
    ),
    ("ai-video-creation", "AI video creation", "ai", "Generated and edited video with AI tools."),
    (
        "comfyui-workflows",
        "ComfyUI workflows",
        "ai",
        "Custom image and video pipelines in ComfyUI.",
    ),
    ("vibe-coding", "Vibe coding", "ai", "Prototypes and apps built fast with AI pair coding."),
    ("ai-model-training", "AI model training", "ai", "Fine-tuning, LoRA and evaluation of models."),
]

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE gig_fts USING fts5(
        title, description, tags_text,
        content='gigs', content_rowid='id', tokenize='porter unicode61'
    )""",
    """CREATE TRIGGER gigs_fts_insert AFTER INSERT ON gigs BEGIN
        INSERT INTO gig_fts(rowid, title, description, tags_text)
        VALUES (new.id, new.title, new.description, new.tags_text);
    END""",
    """CREATE TRIGGER gigs_fts_delete AFTER DELETE ON gigs BEGIN
        INSERT INTO gig_fts(gig_fts, rowid, title, description, tags_text)
        VALUES ('delete', old.id, old.title, old.description, old.tags_text);
    END""",
    """CREATE TRIGGER gigs_fts_update AFTER UPDATE OF title, description, tags_text ON gigs BEGIN
        INSERT INTO gig_fts(gig_fts, rowid, title, description, tags_text)
        VALUES ('delete', old.id, old.title, old.description, old.tags_text);
        INSERT INTO gig_fts(rowid, title, description, tags_text)
        VALUES (new.id, new.title, new.description, new.tags_text);
    END""",
]

POSTGRES_FTS = [
    """ALTER TABLE gigs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(tags_text, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(description, '')), 'C')
    ) STORED""",
    "CREATE INDEX ix_gigs_search_vector ON gigs USING gin (search_vector)",
]


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("group", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_table(
        "search_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_query", sa.String(length=200), nullable=False),
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("category_slug", sa.String(length=60), nullable=True),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_events")),
    )
    with op.batch_alter_table("search_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_events_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_search_events_term"), ["term"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=60), nullable=False),
        sa.Column("is_buyer", sa.Boolean(), nullable=False),
        sa.Column("is_freelancer", sa.Boolean(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_api_tokens_token_digest")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "freelancer_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=40), nullable=False),
        sa.Column("headline", sa.String(length=80), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("rating", sa.Float(), nullable=False),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_freelancer_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_freelancer_profiles")),
        sa.UniqueConstraint("handle", name=op.f("uq_freelancer_profiles_handle")),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_user_sessions_token_digest")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "gigs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("freelancer_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("tags_text", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("starting_price_amount", sa.Integer(), nullable=False),
        sa.Column("fastest_delivery_days", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'paused')", name=op.f("ck_gigs_status")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_gigs_category_id_categories")
        ),
        sa.ForeignKeyConstraint(
            ["freelancer_id"],
            ["freelancer_profiles.user_id"],
            name=op.f("fk_gigs_freelancer_id_freelancer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gigs")),
    )
    with op.batch_alter_table("gigs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gigs_freelancer_id"), ["freelancer_id"], unique=False)
        batch_op.create_index("ix_gigs_status_category", ["status", "category_id"], unique=False)

    op.create_table(
        "gig_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gig_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("price_amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("delivery_days", sa.Integer(), nullable=False),
        sa.Column("revisions", sa.Integer(), nullable=False),
        sa.CheckConstraint("delivery_days > 0", name=op.f("ck_gig_packages_delivery_positive")),
        sa.CheckConstraint("price_amount > 0", name=op.f("ck_gig_packages_price_positive")),
        sa.CheckConstraint("revisions >= 0", name=op.f("ck_gig_packages_revisions_non_negative")),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gigs.id"], name=op.f("fk_gig_packages_gig_id_gigs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gig_packages")),
        sa.UniqueConstraint("gig_id", "name", name=op.f("uq_gig_packages_gig_id")),
    )
    with op.batch_alter_table("gig_packages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gig_packages_gig_id"), ["gig_id"], unique=False)

    for statement in POSTGRES_FTS if _is_postgres() else SQLITE_FTS:
        op.execute(statement)

    categories = sa.table(
        "categories",
        sa.column("slug", sa.String),
        sa.column("name", sa.String),
        sa.column("group", sa.String),
        sa.column("description", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        categories,
        [
            {"slug": slug, "name": name, "group": group, "description": text, "position": i}
            for i, (slug, name, group, text) in enumerate(CATEGORIES)
        ],
    )


def downgrade() -> None:
    if not _is_postgres():
        op.execute("DROP TABLE IF EXISTS gig_fts")
    with op.batch_alter_table("gig_packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gig_packages_gig_id"))

    op.drop_table("gig_packages")
    with op.batch_alter_table("gigs", schema=None) as batch_op:
        batch_op.drop_index("ix_gigs_status_category")
        batch_op.drop_index(batch_op.f("ix_gigs_freelancer_id"))

    op.drop_table("gigs")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))

    op.drop_table("user_sessions")
    op.drop_table("freelancer_profiles")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    with op.batch_alter_table("search_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_events_term"))
        batch_op.drop_index(batch_op.f("ix_search_events_occurred_at"))

    op.drop_table("search_events")
    op.drop_table("categories")


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"
