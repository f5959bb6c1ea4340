from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from twinwork.kit.text import CLEANED


class PhraseOut(BaseModel):
    phrase: str
    """The sentence to record, as shown."""
    issued_at: datetime
    expires_at: datetime
    verified: bool
    """Whether this model's voice is verified already (by an earlier take)."""
    threshold: float


class VerificationIn(BaseModel):
    """A take of the phrase: WAV, FLAC, MP3 or Ogg, base64-encoded."""

    model_config = ConfigDict(extra="forbid")

    content_base64: Annotated[str, Field(min_length=1)]
    filename: Annotated[str | None, Field(max_length=200), CLEANED] = None


class VerificationOut(BaseModel):
    verified: bool
    similarity: float
    threshold: float
    compared_samples: int
    reason: str | None = None
    checked_at: datetime
