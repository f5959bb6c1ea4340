"""Test setup: one backend per run (see tests/backends.py), a migrated database, and a
transaction per test that is rolled back afterwards."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests import backends as backends_module

BACKEND = os.environ.get("TWINWORK_TEST_BACKEND", "embedded")
_backends: backends_module.Backends | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Before any test module imports twinwork: settings and the job queue read the environment.
    global _backends
    # Tests sign up many accounts from one client address; the limit itself is tested with
    # its own setting (tests/account/test_routes.py).
    os.environ.setdefault("TWINWORK_SIGNUP_RATE_LIMIT", "10000/minute")
    # The model loads when a test needs it, not behind every server a test starts.
    os.environ.setdefault("TWINWORK_WARM_UP_MODELS", "false")
    _backends = backends_module.start(BACKEND)
    from twinwork.config import get_settings
    from twinwork.domains import load_domains
    from twinwork.kit.migrate import upgrade

    get_settings.cache_clear()
    upgrade(get_settings().resolved_database_url)
    # As every entry point does: tests that sign up freelancers without the app need the hooks.
    load_domains()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _backends is not None:
        _backends.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser journeys last: Playwright's sync API keeps an event loop running in the main
    # thread for the rest of the session, which async tests after it cannot share.
    items.sort(key=lambda item: "/browser/" in str(item.path))


def pytest_report_header(config: pytest.Config) -> str:
    return f"twinwork backend: {BACKEND}"


@pytest.fixture(scope="session")
def backends() -> backends_module.Backends:
    assert _backends is not None
    return _backends


@pytest.fixture(scope="session")
async def engine() -> AsyncIterator[AsyncEngine]:
    from twinwork.config import get_settings
    from twinwork.kit.db import make_engine

    engine = make_engine(get_settings().resolved_database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: Any) -> async_sessionmaker[AsyncSession]:
    """Sessions inside the test's transaction: their commits only release savepoints."""
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture(scope="session")
def app() -> Any:
    from twinwork.web.app import create_app

    return create_app()


@pytest.fixture
async def client(
    app: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app.state.sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def committed_client(app: Any, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests really commit (not inside the test's transaction), for tests
    of concurrent requests; what they write stays, so such tests use fresh accounts."""
    from twinwork.kit.db import make_sessionmaker

    app.state.sessionmaker = make_sessionmaker(engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    from twinwork.kit.ratelimit import reset_limits

    reset_limits()
    yield
