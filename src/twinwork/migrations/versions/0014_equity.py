"""equity: seller level history, equity rules, rounds and grants

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

Seller levels get a history (catalog kept only the current level): every existing profile
starts with one row, its current level since the profile was made, the only date known. The
equity programme's rules (one row, the published defaults), its rounds and grants.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _setting(name: str, default: int) -> int:
    return int(os.environ.get(f"TWINWORK_{name.upper()}", str(default)))


def upgrade() -> None:
    op.create_table(
        "seller_level_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["freelancer_profiles.user_id"],
            name=op.f("fk_seller_level_changes_user_id_freelancer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_level_changes")),
    )
    with op.batch_alter_table("seller_level_changes") as batch:
        batch.create_index("ix_seller_level_changes_user_id_changed_at", ["user_id", "changed_at"])
    op.execute(
        sa.text(
            "INSERT INTO seller_level_changes (user_id, level, changed_at) "
            "SELECT user_id, level, created_at FROM freelancer_profiles"
        )
    )

    rules = op.create_table(
        "equity_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("qualifying_levels", sa.JSON(), nullable=False),
        sa.Column("level_years", sa.Integer(), nullable=False),
        sa.Column("min_earnings_amount", sa.Integer(), nullable=False),
        sa.Column("min_growth_percent", sa.Integer(), nullable=False),
        sa.Column("high_earnings_amount", sa.Integer(), nullable=False),
        sa.Column("allowed_countries", sa.JSON(), nullable=False),
        sa.Column("grant_amount", sa.Integer(), nullable=False),
        sa.Column("tranches", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "min_earnings_amount >= 0 AND min_growth_percent >= 0 AND high_earnings_amount >= 0 "
            "AND level_years >= 1 AND grant_amount > 0 AND tranches >= 1",
            name=op.f("ck_equity_rules_sane"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_user_id"],
            ["users.id"],
            name=op.f("fk_equity_rules_updated_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equity_rules")),
    )
    op.create_table(
        "equity_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("share_price_amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("near_misses", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "share_price_amount > 0", name=op.f("ck_equity_rounds_share_price_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_equity_rounds_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equity_rounds")),
        sa.UniqueConstraint("year", name=op.f("uq_equity_rounds_year")),
    )
    op.create_table(
        "equity_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tranche", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("share_price_amount", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("remainder_amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount > 0 AND share_price_amount > 0 AND shares >= 0 AND remainder_amount >= 0 "
            "AND tranche >= 1",
            name=op.f("ck_equity_grants_sane"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["equity_rounds.id"],
            name=op.f("fk_equity_grants_round_id_equity_rounds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_equity_grants_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equity_grants")),
        sa.UniqueConstraint("user_id", "year", name="uq_equity_grants_user_id_year"),
        sa.UniqueConstraint("user_id", "tranche", name="uq_equity_grants_user_id_tranche"),
    )
    with op.batch_alter_table("equity_grants") as batch:
        batch.create_index(batch.f("ix_equity_grants_round_id"), ["round_id"])
        batch.create_index(batch.f("ix_equity_grants_user_id"), ["user_id"])

    op.bulk_insert(
        rules,
        [
            {
                "id": 1,
                "qualifying_levels": ["top_rated", "pro"],
                "level_years": _setting("equity_level_years", 1),
                "min_earnings_amount": _setting("equity_min_earnings_amount", 3_000_000),
                "min_growth_percent": _setting("equity_min_growth_percent", 10),
                "high_earnings_amount": _setting("equity_high_earnings_amount", 10_000_000),
                "allowed_countries": [],
                "grant_amount": _setting("equity_grant_amount", 250_000),
                "tranches": _setting("equity_tranches", 4),
                "currency": os.environ.get("TWINWORK_EQUITY_CURRENCY", "USD"),
                "updated_at": datetime.now(UTC),
                "updated_by_user_id": None,
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("equity_grants")
    op.drop_table("equity_rounds")
    op.drop_table("equity_rules")
    op.drop_table("seller_level_changes")
