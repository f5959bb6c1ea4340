"""Telling every process that an adapter must go: erasure wipes its slot everywhere, at once.

Each process serving text holds its own engine, so an erasure (or a model switched off) in one
process must reach the adapter cache of every other. A signal carries adapter keys; each
process listens in a background thread and evicts what it hears (``on_evict``). Two
transports, one protocol:

* ``FileEvictionLog``: an append-only file beside the data (the embedded default: every process
  of one installation shares its data dir). Publishing appends one line in a single ``write``
  (O_APPEND keeps concurrent lines whole); listeners look at the file's size every
  ``interval`` seconds (one ``stat``) and read only what was added.
* ``RedisEvictionSignal``: Redis pub/sub on one channel (scaled out: processes on several
  hosts already share the queue's Redis). Pushed, so no polling.

Each line or message names the publishing instance (``origin``): an instance does not hear
itself, since the process that published has already evicted locally. No settings are read
here: ``creation.erasure_hooks`` decides where the log lives and which Redis to use. Free of
torch (it lives in ``kit``, not beside the engine): every process imports it at start-up.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

OnEvict = Callable[[str], None]
DEFAULT_INTERVAL_SECONDS = 0.2
DEFAULT_CHANNEL = "twinwork:engine:evict"
MAX_KEY_LENGTH = 512


class EvictionSignal(Protocol):
    origin: str

    def publish(self, key: str) -> None:
        """Tell every other listener to evict ``key``; raises only on a malformed key."""
        ...

    def listen(self, on_evict: OnEvict) -> None:
        """Call ``on_evict(key)`` in a background thread for every key another instance
        publishes from now on. Returns once listening (a publish after it is heard)."""
        ...

    def close(self) -> None: ...


def check_key(key: str) -> str:
    """Adapter keys travel as one line of text: no whitespace inside, bounded length."""
    if not key or len(key) > MAX_KEY_LENGTH or any(c.isspace() for c in key):
        raise ValueError(
            f"an adapter key to evict is 1-{MAX_KEY_LENGTH} characters without spaces or "
            f"newlines, not {key[:60]!r}"
        )
    return key


def _new_origin() -> str:
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def _deliver(on_evict: OnEvict, key: str) -> None:
    try:
        on_evict(key)
    except Exception:  # one failed eviction must not stop the listener hearing the next
        log.exception("evicting adapter %s on a signal failed", key)


class FileEvictionLog:
    """Evictions as lines ``<origin> <key>`` appended to ``path``.

    The file grows by about 80 bytes per eviction and is never rewritten (a rewrite would race
    listeners reading it); a listener starts at its end, so its size costs nothing. Delete it
    while no process runs to start afresh; a listener that finds it shorter than it was reads
    it again from the start (evicting twice is harmless)."""

    def __init__(self, path: Path, *, interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.path = Path(path)
        self.interval = interval
        self.origin = _new_origin()
        self._offset = 0
        self._identity: tuple[int, int] | None = None
        self._partial = b""
        self._on_evict: OnEvict | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._poll_lock = threading.Lock()

    def publish(self, key: str) -> None:
        line = f"{self.origin} {check_key(key)}\n".encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)  # one write of one short line: appended whole
        finally:
            os.close(fd)

    def listen(self, on_evict: OnEvict) -> None:
        if self._thread is not None:
            raise RuntimeError("this eviction log is already listening")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch(exist_ok=True)
        # Only what is published from now on: this process holds nothing older.
        stat = self.path.stat()
        self._offset, self._identity = stat.st_size, (stat.st_dev, stat.st_ino)
        self._on_evict = on_evict
        self._thread = threading.Thread(target=self._run, name="twinwork-eviction-log", daemon=True)
        self._thread.start()

    def poll(self) -> list[str]:
        """Read what was appended since the last look and evict it now; the keys heard.
        The listener thread calls it every ``interval``; callers may call it too (before a
        batch, in a test)."""
        with self._poll_lock:
            keys = self._read_new()
        if self._on_evict is not None:
            for key in keys:
                _deliver(self._on_evict, key)
        return keys

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # the data dir unreadable for a moment: try again next tick
                log.exception("reading the eviction log %s failed", self.path)

    def _read_new(self) -> list[str]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._offset, self._partial, self._identity = 0, b"", None
            return []
        identity = (stat.st_dev, stat.st_ino)
        if identity != self._identity or stat.st_size < self._offset:
            # A new file (deleted and made again) or a shorter one: read it from the start.
            self._offset, self._partial, self._identity = 0, b"", identity
        if stat.st_size == self._offset:
            return []
        with self.path.open("rb") as file:
            file.seek(self._offset)
            data = file.read(stat.st_size - self._offset)
        self._offset += len(data)
        data = self._partial + data
        lines = data.split(b"\n")
        self._partial = lines.pop()  # a line still being written ends without its newline
        keys = []
        for raw in lines:
            origin, _, key = raw.decode("utf-8", "replace").strip().partition(" ")
            if key and origin != self.origin:
                keys.append(key)
        return keys


class RedisEvictionSignal:
    """Evictions as messages ``<origin> <key>`` on a Redis pub/sub channel.

    Pub/sub holds nothing for a listener that is disconnected: a process that loses Redis
    reconnects and hears what is published from then on (what it missed was erased from
    storage too, so no request can load it again; it stays in that process's memory until
    evicted by use, as before this signal existed)."""

    def __init__(
        self,
        url: str,
        *,
        channel: str = DEFAULT_CHANNEL,
        client: Any = None,
        retry_seconds: float = 1.0,
    ) -> None:
        import redis

        self.url = url
        self.channel = channel
        self.origin = _new_origin()
        self.retry_seconds = retry_seconds
        self._client: Any = client or redis.Redis.from_url(url)
        self._on_evict: OnEvict | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._subscribed = threading.Event()

    def publish(self, key: str) -> None:
        self._client.publish(self.channel, f"{self.origin} {check_key(key)}")

    def listen(self, on_evict: OnEvict, *, timeout: float = 5.0) -> None:
        if self._thread is not None:
            raise RuntimeError("this eviction signal is already listening")
        self._on_evict = on_evict
        self._thread = threading.Thread(
            target=self._run, name="twinwork-eviction-signal", daemon=True
        )
        self._thread.start()
        # A publish right after listen() must be heard: wait for the subscription (bounded:
        # Redis down leaves the thread retrying, and this process serving without it).
        if not self._subscribed.wait(timeout):
            log.warning("not subscribed to %s after %.0f s; retrying", self.channel, timeout)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            # Confirmations are read (the first one says the subscription is live), not ignored.
            pubsub = self._client.pubsub()
            try:
                pubsub.subscribe(self.channel)
                # The confirmation arrives as the first message: once read, nothing is missed.
                while not self._stop.is_set() and not self._subscribed.is_set():
                    reply = pubsub.get_message(timeout=0.5)
                    if reply is not None and reply.get("type") == "subscribe":
                        self._subscribed.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None and message.get("type") == "message":
                        self._handle(message.get("data"))
            except Exception as exc:
                self._subscribed.clear()
                if self._stop.is_set():
                    break
                log.warning("eviction signal on %s lost (%s); reconnecting", self.channel, exc)
                time.sleep(self.retry_seconds)
            finally:
                try:
                    pubsub.close()
                except Exception:  # closing a broken connection may fail too
                    log.debug("closing the eviction subscription failed", exc_info=True)

    def _handle(self, data: Any) -> None:
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        origin, _, key = text.strip().partition(" ")
        if key and origin != self.origin and self._on_evict is not None:
            _deliver(self._on_evict, key)


__all__ = [
    "DEFAULT_CHANNEL",
    "EvictionSignal",
    "FileEvictionLog",
    "OnEvict",
    "RedisEvictionSignal",
    "check_key",
]
