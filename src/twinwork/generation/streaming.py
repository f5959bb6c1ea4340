"""A preview streamed as it is written (Server-Sent Events), never more than the preview.

The model runs through the same ``preview`` flow as an ordinary request (same checks, same
stored preview, same allowance; previews are free), with a ``TextSink`` on it: the engine writes
each piece of text into the sink as it decodes. What reaches the client is only the part of
the answer that is certain to be in the stored preview: the preview shows the first
``shown(n)`` words of an answer of ``n`` words, ``shown`` never falls as ``n`` grows, and an
answer that already has ``k`` complete words will have ``n >= k``; so the first ``shown(k)``
words are safe to send while it is written. The last event carries the stored generation.

Events (``text/event-stream``): ``preview`` ``{"delta": "..."}`` (append it; the deltas add up
to the stored preview without its closing "…"), then either ``generation`` (the stored
generation) or ``error`` (a problem: ``{type, title, status, detail}``). A comment line every
few seconds keeps the connection alive while the request waits for the engine. A client that
goes away cancels the request: the engine's row leaves the batch at its next decode step, and
nothing is recorded.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from twinwork.generation.service import GenerationView, make_preview
from twinwork.kit.errors import DomainError
from twinwork.ml.streaming import TextSink

log = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 10.0
MEDIA_TYPE = "text/event-stream"
HEADERS = {
    "Cache-Control": "no-store",
    # Proxies (nginx) must pass each event on at once, not buffer the answer.
    "X-Accel-Buffering": "no",
}

Run = Callable[[TextSink], Awaitable[GenerationView]]
"""The preview flow to run with the sink (``generation.preview.preview`` with its arguments)."""


def shown_words(complete: int) -> int:
    """How many words the stored preview shows of an answer of ``complete`` words, from
    ``make_preview`` itself (so the stream follows any change to the preview's rule)."""
    if complete <= 0:
        return 0
    preview, _ = make_preview(" ".join(["w"] * complete))
    return len(preview.split()) - 1  # less the closing "…"


class PreviewCut:
    """Feeds on the model's pieces; gives back the words that became certainly previewed."""

    def __init__(self) -> None:
        self._text = ""
        self._sent = 0

    def feed(self, piece: str) -> str:
        self._text += piece
        words = self._text.split()
        if words and not self._text[-1].isspace():
            words.pop()  # the last word may still grow
        shown = shown_words(len(words))
        if shown <= self._sent:
            return ""
        delta = " ".join(words[self._sent : shown])
        if self._sent:
            delta = " " + delta
        self._sent = shown
        return delta

    def rest(self, preview: str) -> str:
        """What the stored ``preview`` shows beyond the words sent: the last word, which only
        the end of the answer settles."""
        words = preview.split()
        if words and words[-1] == "…":
            words.pop()
        if len(words) <= self._sent:
            return ""
        delta = " ".join(words[self._sent :])
        if self._sent:
            delta = " " + delta
        self._sent = len(words)
        return delta


def event(name: str, data: Mapping[str, Any]) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"event: {name}\ndata: {payload}\n\n".encode()


def problem_of(error: BaseException) -> dict[str, Any]:
    if isinstance(error, DomainError):
        return error.to_problem()
    return {
        "type": "https://twinwork.dev/problems/generation-failed",
        "title": "Generation failed",
        "status": 500,
        "detail": "The model could not finish this preview; nothing was recorded or counted. "
        "Try again.",
    }


async def preview_events(
    run: Run, finished: Callable[[GenerationView], Mapping[str, Any]]
) -> AsyncIterator[bytes]:
    """Run the preview flow with a sink and yield its events; ``finished`` turns the stored
    generation into the last event's data. Closing the iterator (the client went away)
    cancels the generation."""
    loop = asyncio.get_running_loop()
    pieces: asyncio.Queue[str] = asyncio.Queue()
    sink = TextSink(lambda piece: loop.call_soon_threadsafe(pieces.put_nowait, piece))
    task = asyncio.ensure_future(run(sink))
    cut = PreviewCut()
    try:
        while True:
            getter = asyncio.ensure_future(pieces.get())
            done, _ = await asyncio.wait(
                {getter, task}, timeout=KEEP_ALIVE_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            if getter not in done:
                getter.cancel()
            else:
                delta = cut.feed(getter.result())
                if delta:
                    yield event("preview", {"delta": delta})
                continue
            if task in done:
                break
            yield b": waiting for the model\n\n"
        while not pieces.empty():  # pieces written just before the end
            delta = cut.feed(pieces.get_nowait())
            if delta:
                yield event("preview", {"delta": delta})
        error = task.exception()
        if error is not None:
            if not isinstance(error, DomainError):
                log.error("streamed preview failed", exc_info=error)
            yield event("error", problem_of(error))
            return
        view = task.result()
        delta = cut.rest(view.generation.preview)
        if delta:
            yield event("preview", {"delta": delta})
        yield event("generation", finished(view))
    finally:
        if not task.done():
            sink.cancel()  # the engine's row leaves at its next step
            task.cancel()
