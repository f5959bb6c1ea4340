"""pending payments

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23

Card payments written before the card is charged: top-ups and the first period of a membership.
Top-ups get the provider's key (``charge_key``) and the decline they met; sign-ups get the
freelancer's Idempotency-Key (``request_key``); invoices the decline code. Rows written before
this revision were all recorded in the request that charged them; they get keys of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("charge_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("failure_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("failure_message", sa.String(length=300), nullable=True))
    op.execute(
        "UPDATE payments SET charge_key = 'pay_legacy_' || CAST(id AS VARCHAR(20)) "
        "WHERE charge_key IS NULL"
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.alter_column("charge_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_payments_charge_key"), ["charge_key"])
        batch_op.create_index(batch_op.f("ix_payments_status"), ["status"], unique=False)

    with op.batch_alter_table("program_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=120), nullable=True))
    op.execute(
        "UPDATE program_subscriptions SET request_key = 'legacy-' || CAST(id AS VARCHAR(20)) "
        "WHERE request_key IS NULL"
    )
    with op.batch_alter_table("program_subscriptions", schema=None) as batch_op:
        batch_op.alter_column("request_key", existing_type=sa.String(length=120), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_program_subscriptions_user_id"), ["user_id", "request_key"]
        )

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure_code", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("failure_code")

    with op.batch_alter_table("program_subscriptions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_program_subscriptions_user_id"), type_="unique")
        batch_op.drop_column("request_key")

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_status"))
        batch_op.drop_constraint(batch_op.f("uq_payments_charge_key"), type_="unique")
        batch_op.drop_column("failure_message")
        batch_op.drop_column("failure_code")
        batch_op.drop_column("charge_key")
