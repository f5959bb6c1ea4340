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

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

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
