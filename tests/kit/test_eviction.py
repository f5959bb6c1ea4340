"""The eviction signal: what one process publishes, every other process hears, on the embedded
default (a log in the data dir) and scaled out (Redis pub/sub), including across real
processes started through the same settings."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from twinwork.config import get_settings
from twinwork.creation import erasure_hooks
from twinwork.kit.eviction import FileEvictionLog, check_key

REPO_ROOT = Path(__file__).resolve().parents[3]


def _heard(q: queue.Queue[str], timeout: float = 5.0) -> str:
    return q.get(timeout=timeout)


def test_a_published_key_reaches_the_other_listener_but_not_its_publisher(tmp_path: Path) -> None:
    path = tmp_path / "evictions.log"
    first, second = FileEvictionLog(path, interval=0.02), FileEvictionLog(path, interval=0.02)
    heard_first: queue.Queue[str] = queue.Queue()
    heard_second: queue.Queue[str] = queue.Queue()
    first.listen(heard_first.put)
    second.listen(heard_second.put)
    try:
        started = time.monotonic()
        first.publish("abc123")
        assert _heard(heard_second) == "abc123"
        assert time.monotonic() - started < 1.0  # polled every 20 ms here, 200 ms by default
        second.publish("def456")
        assert _heard(heard_first) == "def456"
        time.sleep(0.1)
        assert heard_first.empty() and heard_second.empty()  # nobody hears themselves
    finally:
        first.close()
        second.close()


def test_a_listener_hears_only_what_is_published_after_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "evictions.log"
    publisher = FileEvictionLog(path)
    publisher.publish("before")
    listener = FileEvictionLog(path, interval=60)  # polled by hand below
    heard: list[str] = []
    listener.listen(heard.append)
    try:
        assert listener.poll() == []
        publisher.publish("after")
        assert listener.poll() == ["after"]
        assert heard == ["after"]
        assert listener.poll() == []
    finally:
        listener.close()


def test_half_written_lines_wait_and_a_recreated_log_is_read_from_its_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "evictions.log"
    listener = FileEvictionLog(path, interval=60)
    listener.listen(lambda _key: None)
    try:
        with path.open("ab") as file:
            file.write(b"other-1 half")
        assert listener.poll() == []  # no newline yet: the line is still being written
        with path.open("ab") as file:
            file.write(b"way\n")
        assert listener.poll() == ["halfway"]
        path.unlink()
        assert listener.poll() == []
        FileEvictionLog(path).publish("fresh")
        assert listener.poll() == ["fresh"]
    finally:
        listener.close()


def test_a_failing_eviction_does_not_stop_the_listener(tmp_path: Path) -> None:
    path = tmp_path / "evictions.log"
    heard: queue.Queue[str] = queue.Queue()

    def evict(key: str) -> None:
        if key == "bad":
            raise RuntimeError("engine busy")
        heard.put(key)

    listener = FileEvictionLog(path, interval=0.02)
    listener.listen(evict)
    try:
        publisher = FileEvictionLog(path)
        publisher.publish("bad")
        publisher.publish("good")
        assert _heard(heard) == "good"
    finally:
        listener.close()


@pytest.mark.parametrize("key", ["", "two words", "line\nbreak", "x" * 600])
def test_keys_that_cannot_travel_as_one_line_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="without spaces"):
        check_key(key)


def test_the_installation_signal_reaches_another_instance(backends: object) -> None:
    """Through the settings, as processes make it: the data dir's log on the embedded
    default, the queue's Redis scaled out."""
    settings = get_settings()
    listener = erasure_hooks.new_eviction_signal(settings)
    publisher = erasure_hooks.new_eviction_signal(settings)
    expected = "RedisEvictionSignal" if "redis" in settings.resolved_queue_url else "FileEviction"
    assert type(listener).__name__.startswith(expected)
    heard: queue.Queue[str] = queue.Queue()
    listener.listen(heard.put)
    try:
        publisher.publish("sha-one")
        assert _heard(heard) == "sha-one"
    finally:
        listener.close()
        publisher.close()


LISTENER = """
import sys
from twinwork.config import get_settings
from twinwork.creation import erasure_hooks

def heard(key):
    print("heard", key, flush=True)

erasure_hooks.listen_for_evictions(get_settings(), heard)
print("ready", flush=True)
sys.stdin.read()  # until the test closes it
"""


def test_an_erasure_broadcast_reaches_another_process(backends: object) -> None:
    """A real second process, listening as a serving process does."""
    child = subprocess.Popen(
        [sys.executable, "-c", LISTENER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ},
    )
    assert child.stdout is not None and child.stdin is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line.strip()) for line in child.stdout or ()], daemon=True
    ).start()
    try:
        assert lines.get(timeout=60) == "ready"
        settings = get_settings()
        assert erasure_hooks.broadcast_eviction(settings, "erased-adapter-hash")
        assert lines.get(timeout=10) == "heard erased-adapter-hash"
    finally:
        child.stdin.close()
        child.wait(timeout=20)
        erasure_hooks.stop_listening()


def _redis_server(port: int) -> subprocess.Popen[bytes]:
    import shutil

    from tests.backends import wait_for_port

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return server


def test_a_redis_listener_hears_again_after_redis_restarts() -> None:
    from tests.backends import free_port
    from twinwork.kit.eviction import RedisEvictionSignal

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _redis_server(port)
    listener = RedisEvictionSignal(url, retry_seconds=0.1)
    publisher = RedisEvictionSignal(url)
    heard: queue.Queue[str] = queue.Queue()
    try:
        listener.listen(heard.put)
        publisher.publish("before-restart")
        assert _heard(heard) == "before-restart"
        server.terminate()
        server.wait(timeout=10)
        server = _redis_server(port)
        # Published until heard: the listener resubscribes within its retry interval.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            publisher.publish("after-restart")
            try:
                assert heard.get(timeout=0.5) == "after-restart"
                break
            except queue.Empty:
                continue
        else:
            raise AssertionError("the listener did not come back after Redis restarted")
    finally:
        listener.close()
        publisher.close()
        server.terminate()
        server.wait(timeout=10)
