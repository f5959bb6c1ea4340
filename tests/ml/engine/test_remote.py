"""The remote engine (vLLM with LoRA) against a stand-in server on 127.0.0.1: adapters pushed
once from a shared directory, completions under the adapter's name with the engine's sampling,
adapters taken off the server on erasure (requests caught in it fail), a restarted server
given the adapter again; and the settings that switch text generation over to it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kit.fake_openai_server import BASE_MODEL, FakeState, fake_openai_server
from twinwork.kit.openai_compat import OpenAICompatClient
from twinwork.ml.engine import AdapterErased, Sampling, UnknownAdapter
from twinwork.ml.engine.remote import RemoteEngine, completion_parameters, presence_penalty


@pytest.fixture
def server() -> Iterator[tuple[str, FakeState]]:
    with fake_openai_server() as running:
        yield running


def _adapter(root: Path, name: str) -> Path:
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "adapter_config.json").write_text('{"r": 8}')
    (directory / "adapter_model.safetensors").write_bytes(b"weights of " + name.encode())
    return directory


def _engine(url: str, tmp_path: Path) -> RemoteEngine:
    return RemoteEngine(
        OpenAICompatClient(url),
        base_model=BASE_MODEL,
        publish_dir=tmp_path / "shared",
        # The server mounts the same volume elsewhere; the stand-in reads this side's path,
        # so the test maps it onto itself through a symlink.
        server_dir=str(tmp_path / "server-view"),
    )


def test_an_adapter_is_pushed_once_from_the_shared_directory(
    server: tuple[str, FakeState], tmp_path: Path
) -> None:
    url, state = server
    (tmp_path / "server-view").symlink_to(tmp_path / "shared", target_is_directory=True)
    engine = _engine(url, tmp_path)
    engine.register("hash-a", _adapter(tmp_path / "cache", "hash-a"))

    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(engine.generate("p", "hash-a").text))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [" answer from hash-a"] * 6
    # Six requests at once, one push, from the copy on the shared volume as the server sees it.
    assert state.asked("/v1/load_lora_adapter") == [
        {"lora_name": "hash-a", "lora_path": f"{tmp_path / 'server-view'}/hash-a"}
    ]
    copy = tmp_path / "shared" / "hash-a"
    assert (copy / "adapter_model.safetensors").read_bytes() == b"weights of hash-a"
    assert engine.loaded() == ["hash-a"]
    # No adapter: the base, under the name the server serves it.
    assert engine.generate("p").text == f" answer from {BASE_MODEL}"


def test_sampling_is_sent_as_the_local_engine_applies_it(
    server: tuple[str, FakeState], tmp_path: Path
) -> None:
    url, state = server
    engine = RemoteEngine(OpenAICompatClient(url), base_model=BASE_MODEL)  # same disk
    directory = _adapter(tmp_path, "hash-b")
    engine.register("hash-b", directory)
    sampling = Sampling(
        max_new_tokens=90,
        min_new_tokens=52,
        temperature=0.8,
        top_p=0.9,
        repetition_penalty=1.15,
        stop=("\n\n\n",),
        seed=3,
    )
    engine.generate("<prompt>", "hash-b", sampling)
    [load] = state.asked("/v1/load_lora_adapter")
    assert load["lora_path"] == str(directory.resolve())  # no shared dir: sent as it is
    [sent] = state.asked("/v1/completions")
    assert sent["model"] == "hash-b" and sent["prompt"] == "<prompt>"
    assert sent["max_tokens"] == 90 and sent["min_tokens"] == 52  # a verse stays a verse
    assert sent["seed"] == 3 and sent["stop"] == ["\n\n\n"]
    # The brief's motifs are never penalised: vLLM's prompt-wide penalty stays off.
    assert sent["repetition_penalty"] == 1.0
    assert sent["presence_penalty"] == pytest.approx(presence_penalty(1.15), abs=1e-3)
    assert "ignore_eos" not in sent
    fixed = completion_parameters(Sampling(max_new_tokens=8, stop_at_eos=False))
    assert fixed["extra"]["ignore_eos"] is True
    assert "presence_penalty" not in fixed["extra"]


def test_erasure_takes_the_adapter_off_the_server_and_fails_its_requests(
    server: tuple[str, FakeState], tmp_path: Path
) -> None:
    url, state = server
    (tmp_path / "server-view").symlink_to(tmp_path / "shared", target_is_directory=True)
    engine = _engine(url, tmp_path)
    engine.register("hash-c", _adapter(tmp_path / "cache", "hash-c"))
    engine.register("hash-d", _adapter(tmp_path / "cache", "hash-d"))
    assert engine.prefetch("hash-c") and engine.prefetch("hash-d")

    state.completion_delay = 0.5
    outcomes: dict[str, object] = {}

    def ask(key: str) -> None:
        try:
            outcomes[key] = engine.generate("p", key).text
        except Exception as exc:
            outcomes[key] = exc

    caught = threading.Thread(target=ask, args=("hash-c",))
    mate = threading.Thread(target=ask, args=("hash-d",))
    caught.start()
    mate.start()
    time.sleep(0.2)  # both are with the server
    assert engine.erase("hash-c")
    caught.join(timeout=10)
    mate.join(timeout=10)
    assert isinstance(outcomes["hash-c"], AdapterErased)
    assert outcomes["hash-d"] == " answer from hash-d"  # its batch mate is unaffected
    assert "hash-c" not in state.adapters and "hash-d" in state.adapters
    assert not (tmp_path / "shared" / "hash-c").exists()  # the server cannot read it again
    with pytest.raises(UnknownAdapter):
        engine.generate("p", "hash-c")
    assert engine.erase("hash-c") is False  # twice (another process erased it too): no error


def test_a_restarted_server_gets_the_adapter_again(
    server: tuple[str, FakeState], tmp_path: Path
) -> None:
    url, state = server
    engine = RemoteEngine(OpenAICompatClient(url), base_model=BASE_MODEL)
    engine.register("hash-e", _adapter(tmp_path, "hash-e"))
    assert engine.generate("p", "hash-e").text == " answer from hash-e"
    state.forget_adapters()
    assert engine.generate("p", "hash-e").text == " answer from hash-e"
    assert len(state.asked("/v1/load_lora_adapter")) == 2


def test_published_keys_cannot_escape_the_shared_directory(
    server: tuple[str, FakeState], tmp_path: Path
) -> None:
    url, _state = server
    engine = _engine(url, tmp_path)
    engine.register("../escape", _adapter(tmp_path, "escape"))
    with pytest.raises(ValueError, match="cannot name a published directory"):
        engine.generate("p", "../escape")


def test_the_engine_url_setting_moves_text_generation_to_the_server(
    server: tuple[str, FakeState], tmp_path: Path, base_model: object
) -> None:
    """TWINWORK_ENGINE_URL: the text modality answers through the server, in the prompt
    format it was trained with; erasing takes the adapter off the server again."""
    from twinwork.config import get_settings
    from twinwork.creation import runtime
    from twinwork.ml import GenerateRequest, get_modality

    url, state = server
    settings = get_settings().model_copy(
        update={"engine_url": url, "engine_adapter_dir": tmp_path / "shared"}
    )
    runtime.configure_engine(settings)
    try:
        text = get_modality("text").generate(
            GenerateRequest(
                environment=runtime.model_environment(settings, "text"),
                brief="Lyrics about the harbour at night",
                adapter_dir=_adapter(tmp_path / "cache", "local-copy"),
                adapter_key="hash-f",
            )
        )
        assert text == "answer from hash-f"
        [sent] = state.asked("/v1/completions")
        assert sent["model"] == "hash-f"
        assert "Brief: Lyrics about the harbour at night" in sent["prompt"]
        assert sent["prompt"].rstrip().endswith("<|im_start|>assistant")  # the chat frame
        assert sent["min_tokens"] >= 52  # lyrics: at least a verse, as on the local engine
        assert "hash-f" in state.adapters

        runtime.evict_everywhere(settings, "hash-f")
        assert "hash-f" not in state.adapters
        assert not (tmp_path / "shared" / "hash-f").exists()
    finally:
        runtime.configure_engine(get_settings())  # back to this process's own engine
    from twinwork.ml.text.remote import remote_endpoint

    assert remote_endpoint() is None
