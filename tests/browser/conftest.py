"""A real `twinwork serve` process with demo data, driven by headless Debian Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.backends import Backends, free_port
from twinwork.kit.public_ids import PATTERN

# A row's public id inside a URL (kit.public_ids): what a page's address names a row by.
PUBLIC_ID = PATTERN.removeprefix("^").removesuffix("$")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_ADMIN = ("admin@demo.twinwork.test", "demo-password-2026")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is missing: apt-get install chromium (.ci/run does)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(backends: Backends) -> Iterator[str]:
    env = {
        **os.environ,
        "TWINWORK_DATABASE_URL": backends.new_database_url("twinwork_browser"),
        "TWINWORK_DATA_DIR": str(backends.root / "browser-data"),
        # Earnings clear at once and small payouts are allowed, so a journey can withdraw
        # what it just earned.
        "TWINWORK_EARNINGS_CLEARING_DAYS": "0",
        "TWINWORK_PAYOUT_MINIMUM_AMOUNT": "100",
        # The demo's voice model would train beside the two text models for minutes; the
        # voice journey (test_voice_journey.py) runs a server of its own.
        "TWINWORK_DEMO_VOICE": "false",
    }
    # Its own corner of the tests' bucket: the files other tests leave (exported search logs,
    # samples) are not the demo's.
    if env.get("TWINWORK_STORAGE_URL", "").startswith("s3://"):
        env["TWINWORK_STORAGE_URL"] = env["TWINWORK_STORAGE_URL"].rstrip("/") + "/browser"
    # Its own Redis databases: the server's job consumer must not take the tests' jobs.
    for name, db in (("TWINWORK_QUEUE_URL", 2), ("TWINWORK_RATE_LIMIT_STORAGE_URL", 3)):
        if env.get(name, "").startswith("redis://"):
            env[name] = env[name].rsplit("/", 1)[0] + f"/{db}"
    command = [sys.executable, "-m", "twinwork"]
    for args in (["migrate"], ["demo", "--search-events", "600"]):
        done = subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    port = free_port()
    log = open(backends.root / "browser-server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, server)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # A graceful stop waits for running jobs (the demo's model training may still
            # be at work): the journeys are over, so the server may be stopped outright.
            server.kill()
            server.wait(timeout=20)
        log.close()


def _wait_until_healthy(base_url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"twinwork serve exited with {server.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("twinwork serve did not become healthy within 60 s")
