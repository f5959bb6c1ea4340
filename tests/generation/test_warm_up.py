"""Warming up at start-up loads each modality's base model in the background."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.creation.echo import Echo, EchoConfig
from twinwork.config import get_settings
from twinwork.creation import runtime
from twinwork.ml import ModelEnvironment, modalities, register_modality, unregister_modality


@pytest.fixture
def warmed() -> Iterator[list[ModelEnvironment]]:
    calls: list[ModelEnvironment] = []
    started = threading.Event()

    def warm(environment: ModelEnvironment) -> None:
        calls.append(environment)
        started.set()

    def broken(_: ModelEnvironment) -> None:
        raise RuntimeError("no weights here")

    echo = Echo()
    for name, hook in (("warmable", warm), ("broken", broken)):
        register_modality(
            name=name,
            label=name.title(),
            config_cls=EchoConfig,
            sample_kinds=("text",),
            min_samples=2,
            plan=echo.plan,
            train=echo.train,
            evaluate=echo.evaluate,
            generate=echo.generate,
            warm=hook,
        )
    try:
        yield calls
    finally:
        unregister_modality("warmable")
        unregister_modality("broken")


def test_warm_up_loads_each_modality_in_the_background_and_survives_a_failure(
    warmed: list[ModelEnvironment], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    # Only the throwaway modalities ("broken" comes first): warming the real text base is slow.
    monkeypatch.setattr(
        runtime, "modalities", lambda: [m for m in modalities() if m.name in {"warmable", "broken"}]
    )
    thread = runtime.warm_up(settings)
    assert thread.daemon
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert warmed == [runtime.model_environment(settings, "warmable")]
