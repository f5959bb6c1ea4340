"""The deterministic check every reply passes before it is sent: each number (prices,
days, revisions, order numbers, times), each date and each promise word in the reply must be
backed by the tool results or by the freelancer's own words (FAQ answers, gig and profile
text) the reply was built from. Anything else blocks the reply, and the conversation goes to
the freelancer instead ("never invents").

It reads the reply as text, so it holds whatever phrased it: the templates today, a language
model tomorrow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD_NUMBERS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "fifteen": "15", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "hundred": "100", "thousand": "1000", "half": "0.5", "twice": "2", "double": "2",
}  # fmt: skip
_WORD = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")\b", re.IGNORECASE)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(
    rf"\b(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+)?\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?\b"
    rf"|\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
)
_RELATIVE_DAYS = re.compile(
    r"\b(?:tomorrow|tonight|today|next\s+week|this\s+week|by\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.IGNORECASE,
)
PROMISES = re.compile(
    r"\b(?:guarantee[sd]?|promise[sd]?|refund(?:ed|s)?|discount(?:ed|s)?|for\s+free|free\s+of\s+charge|"
    r"money[\s-]back|unlimited|no\s+problem|of\s+course\s+i\s+can|i\s+can\s+do|i\s+will\s+do|"
    r"can\s+be\s+done|i'll\s+do|sure,?\s+i\s+can|yes,?\s+i\s+can|definitely|certainly|"
    r"exclusive(?:ly)?|full\s+copyright|rush|express|same[\s-]day|cheaper|lower\s+price|"
    r"special\s+(?:price|offer|rate)|deal)\b",
    re.IGNORECASE,
)


def canonical_number(token: str) -> str:
    """ "1,200" -> "1200", "45.50" -> "45.5", "45.00" -> "45", "09" -> "9"."""
    plain = token.replace(",", "")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    plain = plain.lstrip("0") or "0"
    return "0" + plain if plain.startswith(".") else plain


def numbers_in(text: str) -> set[str]:
    found = {canonical_number(m.group(0)) for m in _NUMBER.finditer(text)}
    found |= {_WORD_NUMBERS[m.group(1).lower()] for m in _WORD.finditer(text)}
    return found


def dates_in(text: str) -> set[str]:
    return {" ".join(m.group(0).split()) for m in DATE.finditer(text)}


def is_row_key(name: object) -> bool:
    """``id``, ``gig_id``: a row's key in tool data, which the log keeps but which is no fact
    a reply may state (a gig numbered 45 backs no "45")."""
    return isinstance(name, str) and (name == "id" or name.endswith("_id"))


def flatten(value: Any) -> Iterable[str]:
    """Every scalar inside tool data, as text, except rows' keys."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not is_row_key(key):
                yield from flatten(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from flatten(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


@dataclass
class Verdict:
    ok: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class Grounding:
    """What a reply may state: the tool results and the freelancer's own passages."""

    texts: list[str] = field(default_factory=list)

    def add_data(self, data: Any) -> None:
        self.texts.extend(flatten(data))

    def add_text(self, text: str) -> None:
        self.texts.append(text)

    @property
    def corpus(self) -> str:
        return "\n".join(self.texts)


def verify(reply: str, grounding: Grounding, *, fixed: Iterable[str] = ()) -> Verdict:
    """``fixed``: the template's own wording (names, labels) that is not a claim, e.g. the
    assistant's and freelancer's names, which may contain digits."""
    corpus = grounding.corpus
    allowed_text = corpus + "\n" + "\n".join(fixed)
    checked = reply
    problems: list[str] = []
    allowed_dates = dates_in(allowed_text)
    for day in sorted(dates_in(checked)):
        if day not in allowed_dates:
            problems.append(f"date not backed by the data: {day}")
    allowed_numbers = numbers_in(allowed_text)
    for number in sorted(numbers_in(checked)):
        if number not in allowed_numbers:
            problems.append(f"number not backed by the data: {number}")
    lowered = allowed_text.lower()
    # "by Friday, 4 December 2026" is a date (checked above), not a relative one.
    for match in _RELATIVE_DAYS.finditer(DATE.sub("", checked)):
        if match.group(0).lower() not in lowered:
            problems.append(f"relative date not backed by the data: {match.group(0)}")
    for match in PROMISES.finditer(checked):
        if match.group(0).lower() not in lowered:
            problems.append(f"promise not backed by the data: {match.group(0)}")
    return Verdict(not problems, problems)
