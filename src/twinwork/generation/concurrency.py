"""How many generations one process runs at once (``TWINWORK_GENERATION_CONCURRENCY``).

0, the default, sets no limit: the serving engine batches every request that arrives. A limit
bounds the work a process takes on (memory, a remote engine's quota); 1 serves one request at
a time, as the engine the batching one replaced did, which is what the HTTP benchmark compares
the engine against (bench/engine_http_bench.py). Requests over the limit wait their turn.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# One semaphore per event loop and limit: a semaphore belongs to the loop it first waits on.
_limits: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def generation_turn(limit: int) -> AsyncIterator[None]:
    """Wait for a turn to generate when ``limit`` generations already run; 0: no limit."""
    if limit <= 0:
        yield
        return
    by_limit = _limits.setdefault(asyncio.get_running_loop(), {})
    semaphore = by_limit.setdefault(limit, asyncio.Semaphore(limit))
    async with semaphore:
        yield
