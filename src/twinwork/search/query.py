"""Turning what a person typed into a normalised term and a safe full-text query."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8

# Private-use characters mark highlights inside snippets; they are swapped for <mark> only
# after the text around them has been HTML-escaped.
MARK_START = "\ue000"
MARK_END = "\ue001"


def normalise(raw: str) -> str:
    """The Trends Index key of a query: case-folded words, one space apart."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    return " ".join(_WORD.findall(text))[:100]


@dataclass(frozen=True)
class TextQuery:
    words: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.words

    def fts5(self) -> str:
        """SQLite FTS5 MATCH expression: every word must appear, the last one as a prefix."""
        parts = [f'"{w}"' for w in self.words]
        parts[-1] += "*"
        return " ".join(parts)

    def tsquery(self, operator: str = "&") -> str:
        """PostgreSQL to_tsquery expression, built only from letters and digits. Matching
        uses "&" (every word); highlighting uses "|", since ts_headline marks nothing in a
        text that does not match the whole query (the title may hold the other words)."""
        parts = list(self.words)
        parts[-1] += ":*"
        return f" {operator} ".join(parts)


def parse(raw: str) -> TextQuery:
    words = _WORD.findall(unicodedata.normalize("NFKC", raw).casefold())
    return TextQuery(tuple(words[:MAX_TERMS]))
