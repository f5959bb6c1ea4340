"""Training must not starve serving: `twinwork serve` runs the jobs in a worker process of its
own at a lower CPU priority, which stops when the server dies; a thread lowers only itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.backends import REPO_ROOT, free_port
from twinwork.kit.worker_process import PARENT_ENV, bound_threads, lower_priority


def _nice(pid: int) -> int:
    # /proc/<pid>/stat: the command may hold spaces, so count fields after its closing ")".
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_thread_lowers_its_own_priority_and_no_other() -> None:
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(lower_priority(max(before, 5))))
    thread.start()
    thread.join()
    assert seen == [max(before, 5)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


def test_compute_threads_are_bounded_before_torch_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delitem(sys.modules, "torch", raising=False)  # as in a fresh worker
    assert bound_threads(1) == 1
    assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "1"
    assert bound_threads(None) == (os.cpu_count() or 1)


def _serve(tmp_path: Path, **settings: str) -> subprocess.Popen[bytes]:
    """`twinwork serve` on an installation of its own (its worker must not take the test
    run's queued jobs), once it answers."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("TWINWORK_DATABASE", "TWINWORK_QUEUE", "TWINWORK_STORAGE", "TWINWORK_S3")
        )
    }
    env.update({"TWINWORK_DATA_DIR": str(tmp_path / "data"), **settings})
    server = subprocess.Popen(
        [sys.executable, "-m", "twinwork", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.3)
    server.kill()
    server.wait()
    raise AssertionError("twinwork serve did not come up")


def _workers_of(server: subprocess.Popen[bytes]) -> list[int]:
    return [
        pid
        for pid in _children(server.pid)
        if PARENT_ENV.encode() in Path(f"/proc/{pid}/environ").read_bytes()
    ]


def test_serve_runs_the_jobs_in_a_lower_priority_process_that_ends_with_it(
    tmp_path: Path,
) -> None:
    server = _serve(tmp_path, TWINWORK_TRAINING_NICE="12")
    worker = None
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and worker is None:
            workers = _workers_of(server)
            worker = workers[0] if workers else None
            time.sleep(0.2)
        assert worker is not None, "serve started no job worker"
        cmdline = Path(f"/proc/{worker}/cmdline").read_bytes().split(b"\0")
        assert b"worker" in cmdline
        # The worker's main thread lowered itself before starting any other thread.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _nice(worker) != 12:
            time.sleep(0.2)
        assert _nice(worker) == 12
        assert _nice(server.pid) == _nice(os.getpid())  # the web process keeps its priority

        server.send_signal(signal.SIGKILL)  # no chance to stop its worker
        server.wait(timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.2)
        assert not _alive(worker), "the worker outlived its server"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if worker is not None and _alive(worker):
            os.kill(worker, signal.SIGKILL)


def test_jobs_in_the_web_process_start_no_worker(tmp_path: Path) -> None:
    server = _serve(tmp_path, TWINWORK_JOBS_IN_WEB_PROCESS="true")
    try:
        time.sleep(3)  # as long as a worker takes to appear beside the server
        assert _workers_of(server) == []
    finally:
        server.terminate()
        server.wait(timeout=30)
