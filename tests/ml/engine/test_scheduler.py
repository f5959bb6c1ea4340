"""Continuous batching on the real base: rows with different adapters join, decode together and
leave; each row's tokens equal PEFT's for its adapter alone; bad requests fail alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.ml.engine.adapters import peft_reference
from twinwork.ml.engine import (
    AdapterErased,
    MultiAdapterEngine,
    PromptTooLong,
    RequestCancelled,
    Sampling,
    UnknownAdapter,
    read_peft_adapter,
)
from twinwork.ml.text import BaseModelRef
from twinwork.ml.text.loading import load_model, load_tokenizer
from twinwork.ml.text.prompt import prompt_ids

pytestmark = pytest.mark.slow

GREEDY = Sampling(temperature=0, max_new_tokens=6)
BRIEFS = (
    "Lyrics about leaving home",
    "A short ad for a neighbourhood coffee shop by the harbour",
    "Tea",
)


@pytest.fixture(scope="module")
def tokenizer(base_model: BaseModelRef) -> Any:
    return load_tokenizer(base_model)


@pytest.fixture(scope="module")
def engine(
    base_model: BaseModelRef, peft_adapters: dict[str, Path], tokenizer: Any
) -> Iterator[MultiAdapterEngine]:
    decoder = load_tokenizer(base_model)
    engine = MultiAdapterEngine(
        load_model(base_model),  # fp32: compared token for token with PEFT's
        decode=lambda ids: str(decoder.decode(list(ids), skip_special_tokens=True)),
        stop_ids={int(tokenizer.eos_token_id)},
        base_model=base_model.model_id,
        slots=3,
        max_rank=16,
        context_length=256,
    )
    for name, path in peft_adapters.items():
        engine.register(name, lambda path=path: read_peft_adapter(path))
    yield engine
    engine.close()


def _ids(tokenizer: Any, brief: str) -> list[int]:
    return prompt_ids(tokenizer, brief)


def test_rows_with_different_adapters_decode_as_peft_does_alone(
    engine: MultiAdapterEngine,
    base_model: BaseModelRef,
    peft_adapters: dict[str, Path],
    tokenizer: Any,
) -> None:
    jobs = [
        ("wide", BRIEFS[0]),
        ("narrow", BRIEFS[1]),
        (None, BRIEFS[2]),
        ("rs", BRIEFS[1]),
        ("wide", BRIEFS[2]),
    ]
    # Submitted from several threads at once: prompts of different lengths join one batch.
    requests: dict[int, Any] = {}
    threads = [
        threading.Thread(
            target=lambda i=i, a=a, b=b: requests.__setitem__(
                i, engine.submit(_ids(tokenizer, b), a, GREEDY)
            )
        )
        for i, (a, b) in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    served = [requests[i].result(timeout=120).token_ids for i in range(len(jobs))]

    reference = peft_reference(base_model, peft_adapters)
    for (adapter, brief), tokens in zip(jobs, served, strict=True):
        ids = torch.tensor([_ids(tokenizer, brief)])
        kwargs = {"max_new_tokens": 6, "do_sample": False, "pad_token_id": tokenizer.eos_token_id}
        with torch.inference_mode():
            if adapter is None:
                with reference.disable_adapter():
                    out = reference.generate(input_ids=ids, **kwargs)
            else:
                reference.set_adapter(adapter)
                out = reference.generate(input_ids=ids, **kwargs)
        assert list(tokens) == out[0, ids.shape[1] :].tolist(), (adapter, brief)
    # The adapters really change what is written: the same brief, other tokens.
    assert served[2] != served[4] and served[1] != served[3]


def test_streamed_pieces_make_the_text_and_stop_strings_cut_it(
    engine: MultiAdapterEngine, tokenizer: Any
) -> None:
    request = engine.submit(_ids(tokenizer, BRIEFS[0]), "wide", Sampling(max_new_tokens=12, seed=4))
    pieces = list(request)
    completion = request.result()
    assert len(pieces) > 1 and "".join(pieces) == completion.text
    # The same text cut at a word the first run wrote: same seed, same tokens until then.
    word = completion.text.split()[2]
    cut = engine.submit(
        _ids(tokenizer, BRIEFS[0]), "wide", Sampling(max_new_tokens=12, seed=4, stop=(word,))
    )
    pieces = list(cut)
    assert cut.result().finish_reason == "stop"
    assert cut.result().text == completion.text[: completion.text.index(word)]
    assert "".join(pieces) == cut.result().text


def test_repetition_penalty_leaves_the_prompt_alone(
    engine: MultiAdapterEngine, tokenizer: Any
) -> None:
    # A pattern the model completes with a token it has already read.
    ids = list(tokenizer("red, green, blue, red, green, blue, red, green,")["input_ids"])
    plain = engine.generate(ids, None, Sampling(temperature=0, max_new_tokens=1))
    # The answer starts with a token of the prompt; a penalty over the prompt would change it.
    assert plain.token_ids[0] in ids
    harsh = engine.generate(
        ids, None, Sampling(temperature=0, max_new_tokens=1, repetition_penalty=50.0)
    )
    assert harsh.token_ids == plain.token_ids


def test_a_cancelled_row_leaves_and_its_batch_mate_finishes(
    engine: MultiAdapterEngine, tokenizer: Any
) -> None:
    long = Sampling(max_new_tokens=200, stop_at_eos=False, seed=1)
    leaving = engine.submit(_ids(tokenizer, BRIEFS[0]), "wide", long)
    staying = engine.submit(
        _ids(tokenizer, BRIEFS[1]), "narrow", Sampling(max_new_tokens=8, seed=2)
    )
    stream = iter(leaving)
    next(stream)
    leaving.cancel()
    with pytest.raises(RequestCancelled):
        leaving.result(timeout=60)
    assert len(staying.result(timeout=60).token_ids) == 8
    assert engine.scheduler.running == 0


def test_bad_requests_fail_at_once_and_batch_mates_continue(
    engine: MultiAdapterEngine, tokenizer: Any
) -> None:
    running = engine.submit(
        _ids(tokenizer, BRIEFS[0]), "rs", Sampling(max_new_tokens=10, stop_at_eos=False)
    )
    unknown = engine.submit(_ids(tokenizer, BRIEFS[0]), "no-such-adapter", GREEDY)
    assert unknown.done
    with pytest.raises(UnknownAdapter, match="no-such-adapter"):
        unknown.result()
    too_long = engine.submit(list(range(300)), None, GREEDY)
    with pytest.raises(PromptTooLong, match="context of 256 tokens"):
        too_long.result(timeout=0)
    assert len(running.result(timeout=60).token_ids) == 10


def test_erasure_fails_running_and_queued_requests_and_wipes_the_slot(
    engine: MultiAdapterEngine, tokenizer: Any, peft_adapters: dict[str, Path]
) -> None:
    engine.register("to-erase", lambda: read_peft_adapter(peft_adapters["wide"]))
    long = Sampling(max_new_tokens=200, stop_at_eos=False)
    running = engine.submit(_ids(tokenizer, BRIEFS[0]), "to-erase", long)
    mate = engine.submit(_ids(tokenizer, BRIEFS[1]), "narrow", Sampling(max_new_tokens=8))
    next(iter(running))  # it is decoding
    slot = engine.cache.acquire("to-erase")
    engine.cache.release("to-erase")
    steps = engine.scheduler.steps
    assert engine.erase("to-erase")
    # The erasure got in at once, however busy the batch: at most the step in flight (and
    # one the loop had already begun) ran before it, not the rest of the answer.
    assert engine.scheduler.steps - steps <= 2
    with pytest.raises(AdapterErased):
        running.result(timeout=60)
    assert not any(
        layer.lora_a[slot].any() or layer.lora_bt[slot].any()
        for layer in engine.bank.layers.values()
    )
    assert "to-erase" not in engine.cache.resident() + engine.cache.in_cpu_tier()
    after = engine.submit(_ids(tokenizer, BRIEFS[0]), "to-erase", GREEDY)
    with pytest.raises(AdapterErased):
        after.result(timeout=0)
    assert len(mate.result(timeout=60).token_ids) >= 1


def test_requests_wait_for_a_slot_when_every_slot_is_busy(
    engine: MultiAdapterEngine, tokenizer: Any, peft_adapters: dict[str, Path]
) -> None:
    # Three slots, four distinct adapters at once: the fourth waits for a row to leave.
    for i in range(4):
        engine.register(f"busy-{i}", lambda: read_peft_adapter(peft_adapters["narrow"]))
    requests = [
        engine.submit(
            _ids(tokenizer, BRIEFS[2]),
            f"busy-{i}",
            Sampling(max_new_tokens=3 + 3 * i, stop_at_eos=False),
        )
        for i in range(4)
    ]
    started = time.perf_counter()
    assert [len(r.result(timeout=120).token_ids) for r in requests] == [3, 6, 9, 12]
    assert time.perf_counter() - started < 120
    for i in range(4):
        engine.erase(f"busy-{i}")
