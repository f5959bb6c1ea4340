"""The only input a text training run gets: samples the domain has already checked for consent."""

from __future__ import annotations

from dataclasses import dataclass

from twinwork.ml.hashing import sha256_text


@dataclass(frozen=True)
class TextSample:
    sample_id: int
    content_hash: str
    """sha256 hex of the UTF-8 text."""
    text: str

    @classmethod
    def of(cls, sample_id: int, text: str) -> TextSample:
        return cls(sample_id=sample_id, content_hash=sha256_text(text), text=text)
