"""the AI and hybrid price per package, gig galleries and AI skills

Each gig package gets its own price made by the freelancer's AI model and as an AI draft
refined by hand (NULL follows the model's prices). Packages of freelancers who already sell a
model start from that model's prices, as the gig page showed them before. Profiles get the AI
tools their freelancer works with, and a flag search filters on.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gig_packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ai_price_amount", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hybrid_price_amount", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_gig_packages_ai_price_positive"),
            "ai_price_amount IS NULL OR ai_price_amount > 0",
        )
        batch_op.create_check_constraint(
            op.f("ck_gig_packages_hybrid_price_positive"),
            "hybrid_price_amount IS NULL OR hybrid_price_amount > 0",
        )
    with op.batch_alter_table("freelancer_profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ai_tools", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("works_with_ai", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            batch_op.f("ix_freelancer_profiles_works_with_ai"), ["works_with_ai"], unique=False
        )
    _default_package_prices()


def _default_package_prices() -> None:
    """Existing packages keep what the gig page offered: the model's per-use price for AI
    work, and that plus the refinement price for hybrid work. The model is the one the page
    showed: the owner's first active one, else their first priced one."""
    bind = op.get_bind()
    models = sa.table(
        "personal_models",
        sa.column("id", sa.Integer),
        sa.column("owner_user_id", sa.Integer),
        sa.column("price_amount", sa.Integer),
        sa.column("refinement_price_amount", sa.Integer),
        sa.column("is_active", sa.Boolean),
        sa.column("erased_at", sa.DateTime),
    )
    gigs = sa.table("gigs", sa.column("id", sa.Integer), sa.column("freelancer_id", sa.Integer))
    packages = sa.table(
        "gig_packages",
        sa.column("id", sa.Integer),
        sa.column("gig_id", sa.Integer),
        sa.column("ai_price_amount", sa.Integer),
        sa.column("hybrid_price_amount", sa.Integer),
    )
    chosen: dict[int, tuple[int, int | None]] = {}
    rows = bind.execute(
        sa.select(models.c.owner_user_id, models.c.price_amount, models.c.refinement_price_amount)
        .where(models.c.erased_at.is_(None), models.c.price_amount.is_not(None))
        .order_by(models.c.owner_user_id, models.c.is_active.desc(), models.c.id)
    ).all()
    for owner_id, price, refinement in rows:
        chosen.setdefault(owner_id, (price, refinement))
    if not chosen:
        return
    targets = bind.execute(
        sa.select(packages.c.id, gigs.c.freelancer_id)
        .join(gigs, gigs.c.id == packages.c.gig_id)
        .where(gigs.c.freelancer_id.in_(list(chosen)))
    ).all()
    for package_id, owner_id in targets:
        price, refinement = chosen[owner_id]
        bind.execute(
            packages.update()
            .where(packages.c.id == package_id)
            .values(
                ai_price_amount=price,
                hybrid_price_amount=None if refinement is None else price + refinement,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("freelancer_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_freelancer_profiles_works_with_ai"))
        batch_op.drop_column("works_with_ai")
        batch_op.drop_column("ai_tools")
    with op.batch_alter_table("gig_packages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_gig_packages_hybrid_price_positive"), type_="check")
        batch_op.drop_constraint(op.f("ck_gig_packages_ai_price_positive"), type_="check")
        batch_op.drop_column("hybrid_price_amount")
        batch_op.drop_column("ai_price_amount")
