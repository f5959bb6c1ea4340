"""Following an engine request into a ``TextSink`` (``twinwork.ml.streaming``).

The caller's thread waits on the request as ``result()`` would, but writes each piece into the
sink as the scheduler streams it, and binds the sink's cancel to the request: a reader that
goes away makes the row leave the batch at the next decode step, and the wait ends with
``RequestCancelled``.
"""

from __future__ import annotations

from twinwork.ml.engine.scheduler import Completion, Request
from twinwork.ml.streaming import TextSink


def follow(request: Request, sink: TextSink) -> Completion:
    """Stream ``request`` into ``sink`` until it ends; returns its completion (or raises its
    error: ``RequestCancelled`` when the sink was cancelled)."""
    sink.bind(request.cancel)
    for piece in request:  # raises the request's error once its pieces end
        sink.write(piece)
    return request.result()


__all__ = ["follow"]
