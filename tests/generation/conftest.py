"""Fixtures shared by the generation tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.kit.storage import ObjectStorage, make_storage


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    store = make_storage(get_settings())
    yield store
    # Ids come back once a test's transaction is rolled back, but storage keeps its files.
    await artifacts.delete_stored(store, "models/")
    await artifacts.delete_stored(store, "generations/")
