from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from twinwork.kit.public_ids import ModelIdOut, RunIdOut, SampleIdOut
from twinwork.kit.text import CLEANED

SampleTitle = Annotated[str, Field(min_length=1, max_length=120), CLEANED]


class SampleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["text"] = "text"
    title: SampleTitle
    content: Annotated[str, CLEANED]
    category: Annotated[str, Field(min_length=1, max_length=60)]
    ownership_attested: bool
    consent_to_train: bool = False

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Give the sample a title.")
        return value.strip()

    @field_validator("content")
    @classmethod
    def _content_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("The sample is empty: paste the text or upload a .txt or .md file.")
        return value.strip()


class ImageSampleIn(BaseModel):
    """A design (PNG, JPEG, WebP or SVG), base64-encoded; its type is read from the content,
    and ``filename``'s extension must agree with it."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["image"]
    title: SampleTitle
    filename: Annotated[str, Field(min_length=1, max_length=200), CLEANED]
    content_base64: Annotated[str, Field(min_length=1)]
    category: Annotated[str, Field(min_length=1, max_length=60)]
    ownership_attested: bool
    consent_to_train: bool = False

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Give the design a title.")
        return value.strip()


class AudioSampleIn(BaseModel):
    """A voice recording (WAV, FLAC, MP3 or Ogg), base64-encoded, with its script: the words
    said in it. Its type is read from the content, and ``filename``'s extension must agree."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["audio"]
    title: SampleTitle
    transcript: Annotated[str, Field(max_length=20_000), CLEANED] = ""
    filename: Annotated[str, Field(min_length=1, max_length=200), CLEANED]
    content_base64: Annotated[str, Field(min_length=1)]
    category: Annotated[str, Field(min_length=1, max_length=60)]
    ownership_attested: bool
    consent_to_train: bool = False

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Give the recording a title.")
        return value.strip()


def _sample_kind(value: Any) -> str:
    kind = value.get("kind", "text") if isinstance(value, dict) else getattr(value, "kind", "text")
    return kind if kind in ("image", "audio") else "text"


AnySampleIn = Annotated[
    Annotated[SampleIn, Tag("text")]
    | Annotated[ImageSampleIn, Tag("image")]
    | Annotated[AudioSampleIn, Tag("audio")],
    Discriminator(_sample_kind),
]
"""A text sample (``kind`` "text", the default), a design (``kind`` "image") or a voice
recording with its script (``kind`` "audio")."""


class SamplePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consent_to_train: bool


class SampleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: SampleIdOut
    kind: str
    title: str
    category: str
    content_hash: str
    byte_size: int
    media_type: str | None = None
    """Files only: image/png, image/jpeg, image/webp or image/svg+xml."""
    width: int | None = None
    height: int | None = None
    thumbnail_url: str | None = None
    """Files only: a reduced copy, for the sample's owner."""
    duration_seconds: float | None = None
    """Recordings only: length as stored (long pauses trimmed)."""
    transcript: str | None = None
    """Recordings only: the script."""
    audio_url: str | None = None
    """Recordings only: the cleaned recording (FLAC), for its owner."""
    waveform_url: str | None = None
    """Recordings only: a picture of the waveform (PNG), for its owner."""
    source: str
    ownership_attested: bool
    consent_to_train: bool
    consent_changed_at: datetime | None
    created_at: datetime


class SamplePageOut(BaseModel):
    items: list[SampleOut]
    page: int
    pages: int
    total: int
    total_bytes: int
    consented: int
    designs_consented: int
    designs_needed: int
    """How many more designs with consent a design model needs before it can train."""
    recordings_consented: int = 0
    recorded_seconds: float = 0.0
    """Recording time with consent to train (pauses trimmed)."""
    recording_seconds_needed: float = 0.0
    """How much more recording time a voice model needs before it can train."""


class DataUseEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sequence: int
    sample_id: SampleIdOut
    content_hash: str
    model_id: ModelIdOut
    run_id: RunIdOut
    read_at: datetime
    prev_hash: str
    record_hash: str


class DataUseOut(BaseModel):
    entries: list[DataUseEntryOut]
    chain_valid: bool
