"""Sentence vectors for retrieval: all-MiniLM-L6-v2 from its package (loaded once per process
by ``ml.text.evaluation.get_embedder``), unit length, stored as float32 bytes and compared by
brute-force cosine (a dot product of unit vectors). A freelancer has tens to a few hundred
passages: a matrix product over all of them takes well under a millisecond."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import numpy.typing as npt

from twinwork.ml.text.evaluation import get_embedder

log = logging.getLogger("twinwork.assistant")

DIMENSIONS = 384
Vectors = npt.NDArray[np.float32]


CACHE_SIZE = 1024
_cache: OrderedDict[str, Vectors] = OrderedDict()
_cache_lock = threading.Lock()


def embed(texts: Sequence[str]) -> Vectors:
    """One unit-length row per text. Recent texts come from a small cache: the responder
    embeds a buyer's message before it opens its writing transaction, so the one inside finds
    it here and no database lock is held while the model runs."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _cache_lock:
        known = {text: _cache[text] for text in texts if text in _cache}
    missing = list(dict.fromkeys(text for text in texts if text not in known))
    if missing:
        with _one_thread():
            vectors = get_embedder().encode(
                missing, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
            )
        fresh = np.asarray(vectors, dtype=np.float32).reshape(len(missing), DIMENSIONS)
        with _cache_lock:
            for text, vector in zip(missing, fresh, strict=True):
                known[text] = vector
                _cache[text] = vector
                _cache.move_to_end(text)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return np.stack([known[text] for text in texts])


ENCODER_THREADS = 1
"""Torch threads for the assistant's encodings. A buyer's message is one short sentence:
measured on the shared 2-core machine under load (load average about 9), one thread encoded it
in a median 60 ms and a p95 of 85 ms, two threads in a median 380-730 ms and a p95 of
1.2-1.5 s (threads spin waiting for each other when other processes hold the cores). Idle,
one thread costs about 8 ms more (25 against 17 ms)."""
_encode_lock = threading.Lock()


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run the encoder with ``ENCODER_THREADS`` and put the process's setting back after. The
    setting is process-wide: torch work in other threads (generation in the web process) may
    run on fewer threads for the tens of milliseconds an encoding takes, never longer. The
    lock keeps two encodings from restoring each other's value."""
    import torch

    with _encode_lock:
        before = torch.get_num_threads()
        if before != ENCODER_THREADS:
            torch.set_num_threads(ENCODER_THREADS)
        try:
            yield
        finally:
            if before != ENCODER_THREADS:
                torch.set_num_threads(before)


async def embed_off_loop(texts: Sequence[str]) -> Vectors:
    """``embed`` in a worker thread: an encoding takes tens of milliseconds (seconds under
    load), and the event loop serves every other request meanwhile."""
    return await asyncio.to_thread(embed, list(texts))


def warm_up() -> None:
    """Load the encoder and run it once, so the first buyer of a fresh process does not wait
    for it (loading takes seconds, the first encoding allocates its buffers). Called when the
    web process starts (in a background thread) and by the benchmark."""
    embed(["warming up the assistant's encoder"])
    with _cache_lock:
        _cache.pop("warming up the assistant's encoder", None)


def warm_up_in_background() -> threading.Thread:
    """``warm_up`` in a daemon thread: serving starts at once; a failure is logged and left
    for the first turn to meet again."""

    def warm() -> None:
        try:
            warm_up()
        except Exception:
            log.exception("warming up the assistant's encoder failed")

    thread = threading.Thread(target=warm, name="twinwork-assistant-warm-up", daemon=True)
    thread.start()
    return thread


def to_bytes(vector: Vectors) -> bytes:
    return np.asarray(vector, dtype="<f4").reshape(DIMENSIONS).tobytes()


def from_bytes(blobs: Sequence[bytes]) -> Vectors:
    if not blobs:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), DIMENSIONS)


def cosine(query: Vectors, matrix: Vectors) -> npt.NDArray[np.float32]:
    """Similarity of one unit vector with every row of ``matrix`` (unit rows)."""
    if matrix.shape[0] == 0:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(matrix @ query.reshape(DIMENSIONS), dtype=np.float32)
