"""huey on Redis survives a Redis restart without losing acknowledged jobs (scale-out only).

A Redis of the test's own (the suite's shared one keeps no data on disk, and others use it)
runs as a scaled installation's should: with the append-only file, fsynced on every write.
The test stops it by the PID it started and starts it again on the same port and data dir:

- a job enqueued (acknowledged by Redis) while no worker runs is still there after the
  restart, and runs once a worker starts;
- a worker running through the outage keeps going: it logs the lost connection, backs off,
  and runs a job enqueued after Redis is back, with no restart of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import Backends, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _scaleout_only(backends: Backends) -> None:
    if backends.name != "scaleout":
        pytest.skip("huey runs on SQLite in the embedded pass; Redis is the scale-out queue")


class DurableRedis:
    """A redis-server with its data dir and port, stopped and started again by PID."""

    def __init__(self, data_dir: Path) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is missing (.ci/run installs it)"
        self.binary = binary
        self.data_dir = data_dir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--dir", str(self.data_dir), "--save", ""]
            + ["--appendonly", "yes", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: what a service manager's restart sends
            self.process.wait(timeout=20)
        self.process = None


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[DurableRedis]:
    server = DurableRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _env(redis: DurableRedis) -> dict[str, str]:
    return {**os.environ, "TWINWORK_QUEUE_URL": redis.url}


def enqueue(redis: DurableRedis, path: Path, text: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.faults.queue_jobs", "enqueue", str(path), text],
        env=_env(redis),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "enqueued" in done.stdout, done.stderr[-2000:]


def start_worker(redis: DurableRedis, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.faults.queue_jobs", "consume"],
            env=_env(redis),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_for_file(path: Path, timeout: float = 90.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text()
        time.sleep(0.2)
    raise AssertionError(f"the job that writes {path.name} did not run within {timeout:.0f}s")


def test_a_job_enqueued_before_a_redis_restart_runs_after_it(
    redis: DurableRedis, tmp_path: Path
) -> None:
    done = tmp_path / "before-restart.txt"
    enqueue(redis, done, "ran")  # acknowledged: the enqueue returned
    redis.stop()
    redis.start()  # same port, same data dir
    worker = start_worker(redis, tmp_path / "worker.log")
    try:
        assert wait_for_file(done) == "ran"
    finally:
        stop_worker(worker)


def test_a_worker_running_through_a_redis_restart_keeps_working(
    redis: DurableRedis, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    worker = start_worker(redis, log)
    try:
        first = tmp_path / "first.txt"
        enqueue(redis, first, "one")
        assert wait_for_file(first) == "one"

        redis.stop()
        time.sleep(3)  # the worker finds Redis gone and backs off
        assert worker.poll() is None, log.read_text()[-2000:]
        redis.start()

        second = tmp_path / "second.txt"
        enqueue(redis, second, "two")
        assert wait_for_file(second) == "two"
        assert worker.poll() is None  # the same worker, never restarted
    finally:
        stop_worker(worker)
