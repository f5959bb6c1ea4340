from __future__ import annotations

import pytest

from twinwork.config import get_settings
from twinwork.kit.storage import ObjectNotFound, make_storage


async def test_objects_round_trip_on_the_configured_store() -> None:
    storage = make_storage(get_settings())
    key = "tests/storage/round-trip.bin"
    payload = bytes(range(256)) * 10
    await storage.put(key, payload)
    assert await storage.exists(key)
    assert await storage.get(key) == payload
    assert key in await storage.list("tests/storage/")
    await storage.delete(key)
    assert not await storage.exists(key)
    with pytest.raises(ObjectNotFound):
        await storage.get(key)
    await storage.delete(key)  # deleting what is gone is not an error


def test_the_run_uses_the_expected_store_kind() -> None:
    import os

    storage = make_storage(get_settings())
    expected = "s3://" if os.environ.get("TWINWORK_TEST_BACKEND") == "scaleout" else "/"
    assert storage.description.startswith(expected)
