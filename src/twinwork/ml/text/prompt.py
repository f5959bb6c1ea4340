"""How a sample becomes a chat turn, shared by training, evaluation and generation.

The base is an instruct model, so a sample is trained as the assistant's answer to a brief, and
only the answer's tokens carry loss. Generation then asks with a real brief in the same frame:
the adapter learns *how* this freelancer writes while the base keeps following *what* is asked.
Plain causal training on the raw text would teach the model to continue prose, not to answer a
brief, and spend capacity on re-learning the chat markup.

No titles reach the ML layer, so the training brief is derived from the sample's own most
frequent content words; it reads like a real brief ("a piece about rain, harbour and ferries").
"""

from __future__ import annotations

import inspect
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from twinwork.ml.streaming import TextSink

SYSTEM_PROMPT = "You are a professional writer. Reply with the requested text only."
_INSTRUCTION = "Write this in my own style.\nBrief: {brief}"
IGNORE_INDEX = -100

_STOPWORDS = frozenset(
    """about above after again against also among another because been before being below
    between both cannot could does doing down during each even every from further have having
    here herself himself into itself just more most much must myself never only other ours over
    same should some such than that their them then there these they this those through under
    until very were what when where which while will with would your yours yourself""".split()
)
_WORD = re.compile(r"[a-z][a-z'-]{3,}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def training_brief(text: str) -> str:
    words = [w.strip("'-") for w in _WORD.findall(text.lower())]
    counts = Counter(w for w in words if len(w) > 3 and w not in _STOPWORDS)
    # Most frequent first; ties broken by first appearance so the brief is deterministic.
    first_seen = {w: i for i, w in reversed(list(enumerate(words)))}
    top = sorted(counts, key=lambda w: (-counts[w], first_seen[w]))[:3]
    if not top:
        return "a short piece"
    if len(top) == 1:
        return f"a piece about {top[0]}"
    return f"a piece about {', '.join(top[:-1])} and {top[-1]}"


def prompt_text(tokenizer: PreTrainedTokenizerBase, brief: str) -> str:
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": _INSTRUCTION.format(brief=brief.strip())},
    ]
    rendered: Any = tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=True
    )
    return str(rendered)


def prompt_ids(tokenizer: PreTrainedTokenizerBase, brief: str) -> list[int]:
    return list(tokenizer(prompt_text(tokenizer, brief), add_special_tokens=False)["input_ids"])


@dataclass(frozen=True)
class Example:
    """One tokenized training or evaluation sequence: loss only where ``labels`` is not ignored."""

    input_ids: list[int]
    labels: list[int]


def encode_example(tokenizer: PreTrainedTokenizerBase, text: str, max_length: int) -> Example:
    prompt = prompt_ids(tokenizer, training_brief(text))
    answer = list(tokenizer(text.strip(), add_special_tokens=False)["input_ids"])
    eos = tokenizer.eos_token_id
    # Ending on the end-of-turn token teaches the adapter to stop where the freelancer stops.
    answer = answer[: max(1, max_length - len(prompt) - 1)] + (
        [int(eos)] if eos is not None else []
    )
    ids = (prompt + answer)[:max_length]
    labels = ([IGNORE_INDEX] * len(prompt) + answer)[:max_length]
    return Example(input_ids=ids, labels=labels)


def chunk_text(text: str, max_chars: int) -> list[str]:
    """Cut a long piece at paragraph, then sentence, then word boundaries into chunks of at most
    ``max_chars``, so a long article trains on all of its text instead of only its opening."""
    text = text.strip()
    if len(text) <= max_chars:
        return [text] if text else []
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for sentence in _SENTENCE_END.split(paragraph.strip()):
            pieces.extend(_split_words(sentence, max_chars))
        pieces.append("\n\n")
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if piece == "\n\n":
            if current:
                current += "\n\n"
            continue
        joiner = "" if not current or current.endswith("\n\n") else " "
        if current and len(current.rstrip()) + len(joiner) + len(piece) > max_chars:
            chunks.append(current.strip())
            current = piece
        else:
            current = current + joiner + piece if current else piece
    if current.strip():
        chunks.append(current.strip())
    return [c for c in chunks if c]


def _split_words(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence] if sentence else []
    parts: list[str] = []
    current = ""
    for word in sentence.split():
        if current and len(current) + 1 + len(word) > max_chars:
            parts.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        parts.append(current[:max_chars] if len(current) > max_chars else current)
    return parts


# ---- how long an answer is -------------------------------------------------------------------
#
# A small model left to itself stops wherever its training pieces stopped, or sooner: a request
# for lyrics once came back as two lines. The buyer chooses a length (short, medium, long, or a
# number of lines or words); each kind of brief has its own word ranges and a floor, and the
# generator gets them as token bounds: the end-of-text token is suppressed until the minimum is
# written, and writing stops at the maximum. The prompt itself is the training one, unchanged.

LENGTHS = ("short", "medium", "long")
DEFAULT_LENGTH = "short"
TOKENS_PER_WORD = 1.3
"""This tokenizer's rate on English prose and lyrics (1.1-1.25 measured), rounded up, so a
minimum in tokens is at least that many words."""
MAX_NEW_TOKENS = 400
"""The most any answer may be (the operator's generation cap has the same ceiling)."""
MAX_LINES = 40
MIN_WORDS, MAX_WORDS = 10, int(MAX_NEW_TOKENS / TOKENS_PER_WORD)


@dataclass(frozen=True)
class BriefKind:
    name: str
    label: str
    words: dict[str, tuple[int, int]]
    """length -> (minimum, maximum) words."""
    words_per_line: int


_KINDS = (
    # A verse is four to eight lines of about seven words: "short" is one verse, never less.
    BriefKind(
        "verse", "lyrics or a poem",
        {"short": (40, 70), "medium": (80, 130), "long": (150, 240)}, 7,
    ),
    BriefKind(
        "ad", "an ad or a slogan",
        {"short": (15, 40), "medium": (40, 80), "long": (80, 150)}, 10,
    ),
    BriefKind(
        "article", "an article or a story",
        {"short": (80, 150), "medium": (150, 230), "long": (230, 300)}, 14,
    ),
    BriefKind(
        "piece", "a piece of copy",
        {"short": (30, 70), "medium": (70, 140), "long": (140, 260)}, 12,
    ),
)  # fmt: skip
_KIND_WORDS = {
    "verse": ("lyric", "song", "verse", "chorus", "poem", "rap", "ballad", "jingle", "hymn"),
    "ad": ("ad", "advert", "slogan", "tagline", "headline", "caption", "tweet"),
    "article": ("article", "blog", "essay", "story", "newsletter", "report", "speech"),
}


def brief_kind(brief: str) -> BriefKind:
    """The kind of piece a brief asks for, from its words ("Lyrics about leaving home" is a
    verse); anything else is a general piece of copy."""
    words = re.findall(r"[a-z]+", brief.lower())
    for kind in _KINDS:
        stems = _KIND_WORDS.get(kind.name, ())
        if any(
            w == s or (w.startswith(s) and len(s) > 3) or w == s + "s" for w in words for s in stems
        ):
            return kind
    return _KINDS[-1]


@dataclass(frozen=True)
class AnswerLength:
    """Token bounds for one answer, and what they mean in words."""

    kind: str
    min_new_tokens: int
    max_new_tokens: int
    min_words: int
    max_words: int


def check_length_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The buyer's length choice, normalised: ``{"length": "short"|"medium"|"long"}``,
    ``{"lines": n}`` or ``{"words": n}`` (numbers may come as strings, from a form), or ``{}``
    for the default. Raises ValueError with a message a person can act on."""
    given = {k: v for k, v in options.items() if v not in (None, "")}
    unknown = sorted(set(given) - {"length", "lines", "words"})
    if unknown:
        raise ValueError(
            f"Unknown option(s): {', '.join(unknown)[:100]}. A writing model takes 'length' "
            "(short, medium or long), or a number of 'lines' or 'words'."
        )
    if len(given) > 1:
        raise ValueError("Choose one length: short, medium or long, or a number of lines or words.")
    if "length" in given:
        value = str(given["length"]).strip().lower()
        if value not in LENGTHS:
            raise ValueError(
                f"Length must be short, medium or long, not {str(given['length'])[:40]!r}."
            )
        return {"length": value}
    for name, low, high in (("lines", 1, MAX_LINES), ("words", MIN_WORDS, MAX_WORDS)):
        if name in given:
            return {name: _bounded_int(name, given[name], low, high)}
    return {}


def answer_length(brief: str, options: Mapping[str, Any] | None = None) -> AnswerLength:
    """Token bounds for answering ``brief`` with the buyer's (checked) length options."""
    kind = brief_kind(brief)
    chosen = check_length_options(options or {})
    floor = kind.words["short"][0]
    if "lines" in chosen:
        words = chosen["lines"] * kind.words_per_line
        low, high = max(min(floor, words), int(words * 0.8)), int(words * 1.3) + 5
    elif "words" in chosen:
        words = chosen["words"]
        low, high = int(words * 0.85), int(words * 1.2) + 5
    else:
        low, high = kind.words[chosen.get("length", DEFAULT_LENGTH)]
    max_tokens = min(MAX_NEW_TOKENS, math.ceil(high * TOKENS_PER_WORD))
    min_tokens = min(max_tokens, math.ceil(low * TOKENS_PER_WORD))
    return AnswerLength(
        kind=kind.name,
        min_new_tokens=min_tokens,
        max_new_tokens=max_tokens,
        min_words=low,
        max_words=int(max_tokens / TOKENS_PER_WORD),
    )


def _bounded_int(name: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ValueError(f"'{name}' must be a whole number from {low} to {high}.")
    return number


def generation_arguments(
    brief: str, options: Mapping[str, Any] | None = None, *, cap: int | None = None
) -> dict[str, int]:
    """What the engine is asked for one buyer's answer: ``max_new_tokens`` and
    ``min_new_tokens`` (end of text suppressed until then).

    With an explicit length option the buyer's choice governs; without one, the kind's short
    range applies, cut at the operator's ``cap`` (tokens) but never below the kind's minimum:
    a request for lyrics is always at least a verse.
    """
    length = answer_length(brief, options)
    maximum = length.max_new_tokens
    if cap is not None and not check_length_options(options or {}):
        maximum = max(length.min_new_tokens, min(maximum, cap))
    return {"max_new_tokens": maximum, "min_new_tokens": length.min_new_tokens}


def generate_answer(
    engine: Any,
    brief: str,
    adapter_dir: Path | None,
    *,
    options: dict[str, Any] | None = None,
    adapter_key: str | None = None,
    seed: int | None = None,
    cap: int | None = None,
    sink: TextSink | None = None,
) -> str:
    """One answer as a buyer gets it: the length the brief's kind and the buyer's options ask
    for (``prompt.generation_arguments``), through the engine's own sampling. With a ``sink``
    the text is written into it as it comes (in one piece at the end where the engine cannot
    stream)."""
    arguments: dict[str, Any] = dict(generation_arguments(brief, options, cap=cap))
    accepted = inspect.signature(engine.generate).parameters
    if "min_new_tokens" not in accepted:
        # An engine without a minimum length only gets the cap.
        del arguments["min_new_tokens"]
    streams = sink is not None and "sink" in accepted
    if streams:
        arguments["sink"] = sink
    text = str(
        engine.generate(
            brief, adapter_dir=adapter_dir, adapter_key=adapter_key, seed=seed, **arguments
        )
    )
    if sink is not None and not streams:
        sink.write(text)
    return text
