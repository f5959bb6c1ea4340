"""The OpenAI-compatible client against a stand-in server on 127.0.0.1: what it sends, what it
makes of answers and of the server's errors, and an unreachable or slow server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import free_port
from tests.kit.fake_openai_server import BASE_MODEL, FakeState, fake_openai_server
from twinwork.kit.openai_compat import (
    EndpointUnavailable,
    NotFoundOnServer,
    OpenAICompatClient,
    OpenAICompatError,
)


@pytest.fixture
def server() -> Iterator[tuple[str, FakeState]]:
    with fake_openai_server(FakeState(api_key="sk-test")) as running:
        yield running


def _adapter(tmp_path: Path, name: str = "adapter") -> Path:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "adapter_config.json").write_text("{}")
    return directory


def test_a_completion_sends_the_sampling_and_reads_the_answer(
    server: tuple[str, FakeState],
) -> None:
    url, state = server
    client = OpenAICompatClient(url + "/v1/", api_key="sk-test")  # a trailing /v1 is accepted
    result = client.completion(
        model=BASE_MODEL,
        prompt="Write a verse",
        max_tokens=40,
        temperature=0.7,
        top_p=0.9,
        stop=["\n\n"],
        seed=7,
        extra={"min_tokens": 10},
    )
    assert result.text == f" answer from {BASE_MODEL}"
    assert result.finish_reason == "stop"
    assert result.completion_tokens == 3
    [sent] = state.asked("/v1/completions")
    assert sent == {
        "model": BASE_MODEL,
        "prompt": "Write a verse",
        "max_tokens": 40,
        "temperature": 0.7,
        "top_p": 0.9,
        "n": 1,
        "stream": False,
        "stop": ["\n\n"],
        "seed": 7,
        "min_tokens": 10,
    }
    client.close()


def test_the_servers_own_message_and_status_come_back(server: tuple[str, FakeState]) -> None:
    url, _state = server
    unauthorised = OpenAICompatClient(url, api_key="wrong")
    with pytest.raises(OpenAICompatError) as refused:
        unauthorised.model_ids()
    assert refused.value.status == 401 and refused.value.message == "Unauthorized"
    client = OpenAICompatClient(url, api_key="sk-test")
    with pytest.raises(NotFoundOnServer, match="The model `nobody` does not exist"):
        client.completion(model="nobody", prompt="x", max_tokens=1)


def test_adapters_load_once_and_unload_idempotently(
    server: tuple[str, FakeState], tmp_path: Path
) -> None:
    url, state = server
    client = OpenAICompatClient(url, api_key="sk-test")
    adapter = _adapter(tmp_path)
    assert client.load_lora_adapter("abc", str(adapter)) is True
    assert client.load_lora_adapter("abc", str(adapter)) is False  # already there: no error
    assert client.model_ids() == [BASE_MODEL, "abc"]
    assert client.completion(model="abc", prompt="x", max_tokens=1).text == " answer from abc"
    assert client.unload_lora_adapter("abc") is True
    assert client.unload_lora_adapter("abc") is False  # gone already: no error
    assert state.adapters == {}
    with pytest.raises(NotFoundOnServer, match="No adapter found"):
        client.load_lora_adapter("missing", str(tmp_path / "nowhere"))


def test_an_unreachable_or_slow_server_is_unavailable(tmp_path: Path) -> None:
    nobody = OpenAICompatClient(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(EndpointUnavailable, match="could not be reached"):
        nobody.completion(model="m", prompt="x", max_tokens=1)
    with fake_openai_server(FakeState(completion_delay=1.5)) as (url, _state):
        slow = OpenAICompatClient(url, timeout=0.3)
        with pytest.raises(EndpointUnavailable, match="did not answer in time"):
            slow.completion(model=BASE_MODEL, prompt="x", max_tokens=1)


@pytest.mark.parametrize("url", ["", "127.0.0.1:8000", "ftp://host/v1"])
def test_an_endpoint_is_an_http_url(url: str) -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        OpenAICompatClient(url)
