"""TWINWORK_GENERATION_CONCURRENCY: how many generations a process runs at once."""

from __future__ import annotations

import asyncio

import pytest

from twinwork.generation.concurrency import generation_turn


async def most_at_once(limit: int, callers: int) -> int:
    running = 0
    peak = 0

    async def generate() -> None:
        nonlocal running, peak
        async with generation_turn(limit):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(generate() for _ in range(callers)))
    return peak


@pytest.mark.parametrize(("limit", "peak"), [(0, 8), (1, 1), (3, 3)])
async def test_a_limit_bounds_the_generations_running_at_once(limit: int, peak: int) -> None:
    assert await most_at_once(limit, 8) == peak


async def test_the_limit_is_honoured_across_calls_in_one_loop() -> None:
    assert await most_at_once(2, 5) == 2
    assert await most_at_once(2, 5) == 2
