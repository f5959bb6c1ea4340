"""Alembic environment: runs migrations on the configured database (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from twinwork.config import get_settings
from twinwork.kit.db import Base, make_engine
from twinwork.models import import_all_models

import_all_models()
target_metadata = Base.metadata


def _include_object(
    _obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    # The FTS5 index and its shadow tables are made by hand in 0001, not by the models.
    return not (type_ == "table" and name is not None and name.startswith("gig_fts"))


def _configure_and_run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode copies a table and drops the original; with foreign keys enforced, SQLite
        # refuses to drop a table other rows point at. The pragma only takes effect outside a
        # transaction, and the keys are checked by hand once the migrations have run.
        # Straight on the driver's connection: through SQLAlchemy it would run inside the
        # BEGIN that kit.db emits on first use, where the pragma does nothing.
        cursor = connection.connection.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:5]}")


async def _run_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = make_engine(url, pooled=False)
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `twinwork migrate`.")

asyncio.run(_run_online())
