"""Run Alembic migrations from code (the CLI and the tests use this)."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "twinwork:migrations")
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Migrate to ``revision``. Alembic's env runs its own event loop, so call this from sync
    code or from a worker thread when an event loop is already running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(alembic_config(database_url), revision)
        return
    raise RuntimeError("call kit.migrate.upgrade via asyncio.to_thread inside an event loop")
