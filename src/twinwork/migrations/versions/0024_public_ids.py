"""public ids in stored links

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30

Pages and answers now name rows by opaque public ids (``kit.public_ids``); a plain row id in a
URL names nothing. Every row has its public id without a column (it is derived from the row's
key with the installation's key), so no table changes. What does change is the links the
product stored before: a notification's ``link`` ("/orders/12#deliveries") is rewritten to the
public form ("/orders/k7hq...#deliveries"), so the bell's old entries still lead somewhere.
Downgrading writes the row ids back.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

from twinwork.kit.public_ids import LENGTH, NO_ROW, public_id, row_id

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# The first path segment of a stored link, and the kind of row the next segment names.
LINKED_KINDS = {
    "orders": "order",
    "generations": "generation",
    "gigs": "gig",
    "models": "model",
    "inbox": "conversation",
    "certificates": "certificate",
}
_ROW_LINK = re.compile(r"^/(?P<section>[a-z-]+)/(?P<id>\d+)(?P<rest>(?:[/?#].*)?)$")
_PUBLIC_LINK = re.compile(rf"^/(?P<section>[a-z-]+)/(?P<id>[a-z2-7]{{{LENGTH}}})(?P<rest>.*)$")


def to_public(link: str) -> str | None:
    """The public form of a stored link, or None when it names no row by id."""
    match = _ROW_LINK.match(link)
    if not match or match["section"] not in LINKED_KINDS:
        return None
    number = int(match["id"])
    if number < 1:
        return None
    kind = LINKED_KINDS[match["section"]]
    return f"/{match['section']}/{public_id(kind, number)}{match['rest']}"


def to_row(link: str) -> str | None:
    match = _PUBLIC_LINK.match(link)
    if not match or match["section"] not in LINKED_KINDS:
        return None
    number = row_id(LINKED_KINDS[match["section"]], match["id"])
    if number == NO_ROW:
        return None
    return f"/{match['section']}/{number}{match['rest']}"


def _rewrite(convert: object) -> None:
    assert callable(convert)
    notifications = sa.table(
        "notifications", sa.column("id", sa.Integer), sa.column("link", sa.String)
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(notifications.c.id, notifications.c.link).where(notifications.c.link != "")
    ).all()
    for row_key, link in rows:
        rewritten = convert(link)
        if rewritten is not None and rewritten != link:
            connection.execute(
                notifications.update()
                .where(notifications.c.id == row_key)
                .values(link=rewritten[:300])
            )


def upgrade() -> None:
    _rewrite(to_public)


def downgrade() -> None:
    _rewrite(to_row)
