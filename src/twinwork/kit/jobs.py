"""Background jobs on huey: SQLite in the embedded default, Redis when scaled out.

Tasks take ids, open their own unit of work, and are enqueued only after the commit that
created their data (``enqueue_after_commit``), so a rolled-back request never starts a job.
"""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.config import Settings, get_settings
from twinwork.kit.db import after_commit, run_standalone, run_with_engine

T = TypeVar("T")


def make_huey(settings: Settings) -> Huey:
    url = settings.resolved_queue_url
    scheme = urlparse(url).scheme
    if scheme in ("redis", "rediss"):
        return RedisHuey("twinwork", url=url)
    if scheme == "sqlite":
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("twinwork", filename=str(path))
    raise ValueError(f"unsupported TWINWORK_QUEUE_URL: {url!r}")


huey: Huey = make_huey(get_settings())


def run_in_unit_of_work(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run async service code from a (synchronous) huey task in its own transaction."""
    return run_standalone(get_settings().resolved_database_url, work)


def run_with_sessionmaker(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """Run async code that opens units of work of its own from a (synchronous) huey task."""
    return run_with_engine(get_settings().resolved_database_url, work)


def enqueue_after_commit(session: AsyncSession, task: TaskWrapper, *args: Any) -> None:
    after_commit(session, lambda: task(*args))


def start_consumer(workers: int) -> Any:
    """The consumer that `twinwork serve` runs in its own process (embedded default)."""
    # A short poll interval, so stopping the server never waits long for idle workers.
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=True, max_delay=1.0
    )
    # Consumer.start() takes over SIGINT/SIGTERM for a process of its own; inside the web
    # server those belong to uvicorn, which stops the consumer from the app's lifespan.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    return consumer
