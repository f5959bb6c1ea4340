"""Database engine, declarative base and the unit-of-work used by requests and jobs.

Services never commit: the request dependency (or the job wrapper) commits once at the end and
rolls back on error, then runs the jobs that the work queued (see ``kit.jobs``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, String, event, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use kit.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StrEnumType(TypeDecorator[E]):
    """A status column stored as plain text (the schema is unchanged) and read back as its
    ``StrEnum``: a value that is not a member, written or compared in a query, raises
    ``ValueError`` instead of silently matching nothing."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:  # noqa: ARG002
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:  # noqa: ARG002
        return None if value is None else self.enum(value)

    @property
    def python_type(self) -> type[E]:
        return self.enum


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, pooled: bool = True) -> AsyncEngine:
    kwargs: dict[str, Any] = {}
    if not pooled:
        kwargs["poolclass"] = NullPool
    if is_sqlite(url):
        kwargs["connect_args"] = {"timeout": 30}
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    elif pooled:
        # A pooled connection outlives a database restart as a dead socket: check it out with
        # a ping, so the first requests after an outage reconnect instead of failing.
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        event.listen(engine.sync_engine, "before_cursor_execute", _sqlite_before_execute)
        event.listen(engine.sync_engine, "commit", _sqlite_on_end)
        event.listen(engine.sync_engine, "rollback", _sqlite_on_end)
    return engine


UNAVAILABLE_MESSAGES = (
    "database is locked",
    "connection refused",
    "could not connect",
    "connection is closed",
    "server closed the connection",
    "terminating connection",
    "the database system is",
    "no such file or directory",  # a unix socket gone with its server
    "connection timeout",
    "consuming input failed",
)


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or was busy beyond the wait: the request may succeed
    if retried shortly (a 503), as opposed to a fault in the request or the code (a 500)."""
    if isinstance(exc, SQLAlchemyTimeoutError | InterfaceError | ConnectionError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        if isinstance(exc, OperationalError):
            text = str(exc.orig if exc.orig is not None else exc).lower()
            return any(message in text for message in UNAVAILABLE_MESSAGES)
    return False


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin, so SAVEPOINTs work
    # (the driver's implicit transactions break nested ones); see _sqlite_on_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Whether the current unit of work will write. On SQLite a transaction that reads and then
# writes fails at once ("database is locked", no busy wait) if another writer committed in
# between, so writers take the write lock up front with BEGIN IMMEDIATE and wait their turn.
# Readers keep plain BEGIN and run concurrently under WAL. PostgreSQL ignores this.
_writes: ContextVar[bool] = ContextVar("twinwork_unit_of_work_writes", default=True)

# A unit declared read-only may still write a little (a token's last-use stamp during
# authentication). Its deferred transaction cannot take the write lock once another writer has
# committed since its first read, so before its first write it is swapped for an IMMEDIATE one,
# which waits for the lock (busy_timeout) and sees the latest data. Nothing of it was written
# yet, so nothing is lost; the reads before keep their values, as every statement's would under
# PostgreSQL's READ COMMITTED.
_DEFERRED = "twinwork_deferred"
_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})


def _sqlite_on_begin(connection: Any) -> None:
    writes = _writes.get()
    connection.info[_DEFERRED] = not writes
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _sqlite_on_end(connection: Any) -> None:
    connection.info[_DEFERRED] = False


def _sqlite_before_execute(
    connection: Any,
    cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    if not connection.info.get(_DEFERRED):
        return
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    if verb == "SAVEPOINT":
        # COMMIT would end a savepoint SQLAlchemy still means to release: such a unit keeps
        # its deferred transaction (a savepoint in a read-only unit; none exists today).
        connection.info[_DEFERRED] = False
        return
    if verb not in _WRITE_VERBS:
        return
    connection.info[_DEFERRED] = False
    cursor.execute("COMMIT")  # only reads so far: this just lets go of the old snapshot
    cursor.execute("BEGIN IMMEDIATE")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


AfterCommit = Callable[[], None]


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` once the unit of work commits; dropped if it rolls back."""
    session.info.setdefault("after_commit", []).append(callback)


def run_after_commit(session: AsyncSession) -> None:
    callbacks: list[AfterCommit] = session.info.pop("after_commit", [])
    for callback in callbacks:
        callback()


def discard_after_commit(session: AsyncSession) -> None:
    session.info.pop("after_commit", None)


async def end_transaction_early(session: AsyncSession) -> None:
    """Commit what the request did so far (auth bookkeeping, reads) and hold no transaction
    while something slow runs: on SQLite an open write, even a token's last-use stamp, would
    hold the database's write lock for its whole duration. Later use of the session starts a
    new transaction."""
    await session.commit()


def mark_rollback_only(session: AsyncSession) -> None:
    """A handler that caught an error and answers normally (a form shown again with its
    errors) still must not commit what it half-wrote."""
    session.info["rollback_only"] = True


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession], *, writes: bool = True
) -> AsyncIterator[AsyncSession]:
    """One transaction: commit at the end, roll back on error, then flush queued jobs.

    ``writes=False`` declares a read-only unit of work (see ``_writes``)."""
    token = _writes.set(writes)
    try:
        async with _transaction(sessionmaker) as session:
            yield session
    finally:
        _writes.reset(token)


@asynccontextmanager
async def _transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        try:
            yield session
            if session.info.pop("rollback_only", False):
                await session.rollback()
                discard_after_commit(session)
                return
            await session.commit()
        except BaseException:
            await session.rollback()
            discard_after_commit(session)
            raise
        run_after_commit(session)


def run_with_engine(
    database_url: str, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]
) -> T:
    """Run async code that opens its own units of work (a charge between two commits) from
    synchronous code (CLI, huey task), on an engine of its own that is disposed of afterwards."""

    async def main() -> T:
        engine = make_engine(database_url, pooled=False)
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def run_standalone(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run async service code from synchronous code in one transaction of its own."""

    async def in_one_unit(sessionmaker: async_sessionmaker[AsyncSession]) -> T:
        async with unit_of_work(sessionmaker) as session:
            return await work(session)

    return run_with_engine(database_url, in_one_unit)
