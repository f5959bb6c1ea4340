"""Many visitors at once, on committed data (not inside a test transaction)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from twinwork.kit.db import make_sessionmaker, unit_of_work
from twinwork.search.models import SearchEvent

MARKER = "concurrencyprobe"


@pytest.fixture
async def live_client(
    committed_client: httpx.AsyncClient, engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    yield committed_client
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await session.execute(delete(SearchEvent).where(SearchEvent.raw_query.like(f"{MARKER}%")))


async def test_concurrent_searches_all_succeed_and_are_all_logged(
    live_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    async def search(i: int) -> int:
        response = await live_client.get("/search", params={"q": f"{MARKER} {i}"})
        return response.status_code

    statuses = await asyncio.gather(*(search(i) for i in range(24)))
    assert statuses == [200] * 24
    async with make_sessionmaker(engine)() as session:
        logged = await session.scalar(
            select(func.count()).where(SearchEvent.raw_query.like(f"{MARKER}%"))
        )
    assert logged == 24
