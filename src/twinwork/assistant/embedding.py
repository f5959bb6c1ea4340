"""Sentence vectors for retrieval: all-MiniLM-L6-v2 from its package (loaded once per process
by ``ml.text.evaluation.get_embedder``), unit length, stored as float32 bytes and compared by
brute-force cosine (a dot product of unit vectors). A freelancer has tens to a few hundred
passages: a matrix product over all of them takes well under a millisecond."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from twinwork.ml.text.evaluation import get_embedder

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
