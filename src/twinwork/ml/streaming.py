"""Where a generation's text goes while it is written, and the way back to stop it.

Torch-free, so that the registry and the web process can name it without loading a model.
A caller that wants the text as it is written (a preview streamed to the page) puts a
``TextSink`` on the ``GenerateRequest``; a modality that can stream writes each piece into it
from its own thread, and ``bind``s how to stop the work. The caller's ``cancel()`` (a client
that went away) then stops it at once, whichever comes first: the cancel or the bind. The
modality's ``generate`` still returns the whole answer as usual; a modality that cannot stream
ignores the sink, and the caller gets the whole answer at the end, as without one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class TextSink:
    """Receives pieces of one answer (``on_piece`` is called in the generating thread) and
    carries a cancellation back to the generator. Thread-safe."""

    def __init__(self, on_piece: Callable[[str], object]) -> None:
        self._on_piece = on_piece
        self._lock = threading.Lock()
        self._stop: Callable[[], None] | None = None
        self._cancelled = False
        self.pieces = 0

    # ---- the generating side --------------------------------------------------------------

    def bind(self, stop: Callable[[], None]) -> None:
        """How to stop the generation this sink receives; called at once if already
        cancelled."""
        with self._lock:
            self._stop = stop
            cancelled = self._cancelled
        if cancelled:
            stop()

    def write(self, piece: str) -> None:
        if piece and not self._cancelled:
            self.pieces += 1
            self._on_piece(piece)

    # ---- the receiving side ------------------------------------------------------------------

    def cancel(self) -> None:
        """The reader went away: stop generating (the engine's row leaves at its next step)."""
        with self._lock:
            self._cancelled = True
            stop = self._stop
        if stop is not None:
            stop()

    @property
    def cancelled(self) -> bool:
        return self._cancelled


__all__ = ["TextSink"]
