"""A model erased or switched off while a buyer's request waited for the engine: that request
fails with a 409 that says so (never a 500); any other failure passes through unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from twinwork.config import get_settings
from twinwork.creation import runtime
from twinwork.generation.engine import generate_output, generate_work
from twinwork.generation.service import GenerationTicket, ModelUnavailable
from twinwork.kit.storage import make_storage
from twinwork.ml.engine import AdapterErased

TICKET = GenerationTicket(
    model_id=1,
    version_id=1,
    owner_user_id=1,
    modality="text",
    artifact_key="models/1/runs/1/adapter/",
    artifact_hash="a" * 64,
)


async def test_an_adapter_erased_while_waiting_is_a_clean_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def erased(*_args: Any, **_kwargs: Any) -> Any:
        raise AdapterErased("a" * 64)

    monkeypatch.setattr(runtime, "create", erased)
    monkeypatch.setattr(runtime, "generate", erased)
    storage = make_storage(get_settings())
    with pytest.raises(ModelUnavailable, match="switched off or erased while your request"):
        await generate_work(get_settings(), storage, TICKET, "A verse")
    with pytest.raises(ModelUnavailable) as refused:
        await generate_output(get_settings(), storage, TICKET, "A verse")
    assert refused.value.status_code == 409


async def test_other_failures_pass_through(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(runtime, "create", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        await generate_work(get_settings(), make_storage(get_settings()), TICKET, "A verse")
