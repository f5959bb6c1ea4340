"""request fingerprints

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

Next to each idempotency key, the fingerprint of the first request (SHA-256 of its
significant fields): a retry under the same key with another body is refused. Rows from
before have none and accept any retry, as they did.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = ("payments", "orders", "payouts", "program_subscriptions")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("request_fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("request_fingerprint")
