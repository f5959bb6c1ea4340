"""Text written into a sink while the engine decodes, and the sink's way back to stop it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from twinwork.ml.engine import RequestCancelled
from twinwork.ml.streaming import TextSink
from twinwork.ml.text import BaseModelRef
from twinwork.ml.text.engine import TextEngine
from twinwork.ml.text.prompt import generate_answer

BRIEF = "A short ad for a neighbourhood coffee shop by the harbour"


def test_a_sink_cancelled_before_it_is_bound_stops_the_generation_at_once() -> None:
    stops: list[str] = []
    sink = TextSink(lambda piece: None)
    sink.cancel()
    sink.bind(lambda: stops.append("stop"))
    assert stops == ["stop"] and sink.cancelled


def test_a_cancelled_sink_takes_no_more_pieces_and_stops_what_it_was_bound_to() -> None:
    pieces: list[str] = []
    stops: list[str] = []
    sink = TextSink(pieces.append)
    sink.bind(lambda: stops.append("stop"))
    sink.write("Salt ")
    sink.write("")
    sink.cancel()
    sink.write("on the window")
    assert pieces == ["Salt "] and stops == ["stop"] and sink.pieces == 1


def test_an_engine_that_cannot_stream_writes_its_answer_in_one_piece() -> None:
    class Plain:
        def generate(self, brief: str, *, adapter_dir: object, adapter_key: object,
                     seed: object, max_new_tokens: int) -> str:  # fmt: skip
            return "the whole answer"

    pieces: list[str] = []
    text = generate_answer(Plain(), "Tea", None, sink=TextSink(pieces.append))
    assert text == "the whole answer" and pieces == ["the whole answer"]


@pytest.fixture(scope="module")
def engine(base_model: BaseModelRef) -> Iterator[TextEngine]:
    engine = TextEngine(base_model, slots=2, max_rank=16, max_batch=4)
    yield engine
    engine.close()


@pytest.mark.slow
def test_streamed_pieces_make_the_same_answer_as_an_unstreamed_request(
    engine: TextEngine,
) -> None:
    pieces: list[str] = []
    sink = TextSink(pieces.append)
    streamed = engine.generate(BRIEF, adapter_dir=None, seed=3, max_new_tokens=16, sink=sink)
    plain = engine.generate(BRIEF, adapter_dir=None, seed=3, max_new_tokens=16)
    assert streamed == plain
    assert len(pieces) > 1, "the answer came in one piece"
    assert "".join(pieces).strip() == streamed


@pytest.mark.slow
def test_cancelling_the_sink_mid_answer_takes_the_row_out_of_the_batch(
    engine: TextEngine,
) -> None:
    first = threading.Event()
    sink = TextSink(lambda piece: first.set())
    outcome: list[BaseException | str] = []

    def run() -> None:
        try:
            outcome.append(
                engine.generate(
                    BRIEF, adapter_dir=None, max_new_tokens=400, stop_at_eos=False, sink=sink
                )
            )
        except BaseException as error:  # noqa: BLE001 - what the waiter saw is the assertion
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    assert first.wait(60)
    steps = engine.engine.scheduler.steps
    sink.cancel()
    thread.join(60)
    assert len(outcome) == 1 and isinstance(outcome[0], RequestCancelled)
    assert engine.engine.scheduler.running == 0
    assert engine.engine.scheduler.steps - steps <= 3
