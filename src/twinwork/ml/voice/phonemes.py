"""English text to IPA phonemes, by the GPL-licensed espeak-ng in a separate process.

Piper voices were trained on espeak-ng's phonemes, so the base voice needs them. espeak-ng
(and the ``espeak-english`` package that bundles it) is GPL-3.0, and twinwork is Apache-2.0:
twinwork never imports it. It runs ``python -m espeak_english.cli`` as a separate program and
reads its output through a pipe, and the package is an optional extra (``twinwork[voice]``),
installed by the operator who runs voice models. Without it, voice generation says so.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import threading
from collections.abc import Sequence

PHONEMISER_MODULE = "espeak_english.cli"
TIMEOUT_SECONDS = 120.0

CLAUSE_BREAK = re.compile(r"([,;:!?.]+)")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
SPACES = re.compile(r"\s+")
# Dashes, quotes and brackets carry no sound; espeak would read some of them out.
SILENT = re.compile(r"[\"“”‘’«»()\[\]{}<>*_#|~^`\\/=+@&%$]")


class PhonemiserUnavailable(RuntimeError):
    """The optional GPL phonemiser is not installed."""


def available() -> bool:
    return importlib.util.find_spec("espeak_english") is not None


def sentences(text: str) -> list[str]:
    """The script as sentences, each on one line; words of a very long sentence are kept in
    chunks the base voice says in one breath."""
    flat = SPACES.sub(" ", SILENT.sub(" ", text.replace("\u2014", ", ").replace("\u2013", ", ")))
    found: list[str] = []
    for sentence in SENTENCE_END.split(flat.strip()):
        words = sentence.split()
        for start in range(0, len(words), 40):
            chunk = " ".join(words[start : start + 40]).strip()
            if chunk and any(ch.isalnum() for ch in chunk):
                found.append(chunk)
    return found


def _clauses(sentence: str) -> list[tuple[str, str]]:
    """(words, punctuation after them) pairs of one sentence."""
    parts = CLAUSE_BREAK.split(sentence)
    pairs = []
    for index in range(0, len(parts), 2):
        words = parts[index].strip()
        mark = parts[index + 1][-1] if index + 1 < len(parts) else ""
        if words or mark:
            pairs.append((words, mark))
    return pairs


def _run_phonemiser(lines: Sequence[str]) -> list[str]:
    if not available():
        raise PhonemiserUnavailable(
            "The voice base needs espeak-ng's phonemes: install the optional extra "
            "'twinwork[voice]' (espeak-english, GPL-3.0, run as a separate process)."
        )
    done = subprocess.run(
        [sys.executable, "-m", PHONEMISER_MODULE],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the phonemiser failed: {done.stderr.strip()[:300]}")
    out = done.stdout.split("\n")
    if len(out) < len(lines):
        raise RuntimeError("the phonemiser answered fewer lines than it was sent")
    return out[: len(lines)]


_known: dict[str, str] = {}
"""Phonemes of clauses already seen: a model's evaluation and previews repeat scripts."""
_known_lock = threading.Lock()


def _remember(pairs: Sequence[tuple[str, str]]) -> None:
    with _known_lock:
        if len(_known) > 20_000:
            _known.clear()
        _known.update(pairs)


def phonemise(sentences_: Sequence[str]) -> list[str]:
    """IPA of each sentence, with its clause punctuation kept (Piper pauses on it). One
    phonemiser process answers every clause not seen before."""
    pairs = [_clauses(s) for s in sentences_]
    unknown = sorted({w for ps in pairs for w, _ in ps if w and w not in _known})
    if unknown:
        _remember(list(zip(unknown, (p.strip() for p in _run_phonemiser(unknown)), strict=True)))
    result = []
    for ps in pairs:
        text = ""
        for words, mark in ps:
            if words:
                text += (" " if text else "") + _known[words]
            text += mark
        result.append(text)
    return result
