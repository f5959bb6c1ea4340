"""The assistant's API shapes: settings (with the FAQ and availability), FAQ entries,
handovers and requirement drafts."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from twinwork.kit.public_ids import (
    ConversationIdOut,
    DraftIdOut,
    FaqIdOut,
    HandoverIdOut,
    PublicIdOut,
)
from twinwork.kit.text import CLEANED, has_bidi_control, visible_text

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WORKING_DAYS: tuple[DayName, ...] = ("mon", "tue", "wed", "thu", "fri")
LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
}
"""Languages a freelancer may say they answer in (ISO 639-1)."""

MAX_FAQ_ENTRIES = 200
MAX_KEYWORDS = 30
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

Question = Annotated[str, Field(min_length=5, max_length=300), CLEANED]
Answer = Annotated[str, Field(min_length=2, max_length=2000), CLEANED]
AssistantName = Annotated[str, Field(min_length=1, max_length=40), CLEANED]
Never = Annotated[
    str,
    Field(
        max_length=2000,
        description="Things you never do, one per line; such requests always come to you.",
    ),
    CLEANED,
]


class FaqIn(BaseModel):
    """A question clients ask and your answer, quoted as you wrote it."""

    model_config = ConfigDict(extra="forbid")

    q: Question
    a: Answer

    @field_validator("q", "a")
    @classmethod
    def _visible(cls, value: str) -> str:
        if not visible_text(value):
            raise ValueError("Write something a client can read.")
        return value.strip()


class FaqSuggestionOut(BaseModel):
    handover_id: HandoverIdOut
    q: str
    """The client's question that the assistant handed over."""
    a: str
    """Your reply to it, to accept as the FAQ answer or edit first."""


class FaqOut(BaseModel):
    id: FaqIdOut
    q: str
    a: str
    updated_at: datetime


class FaqPageOut(BaseModel):
    items: list[FaqOut]
    page: int
    pages: int
    total: int


class AvailabilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(
        default="UTC", max_length=64, description="An IANA zone, e.g. Europe/Berlin."
    )
    days: list[DayName] = Field(default_factory=lambda: list(WORKING_DAYS))
    start: str = Field(default="09:00", description="HH:MM, in the time zone above.")
    end: str = Field(default="17:00", description="HH:MM, later than start.")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        if zone not in available_timezones():
            raise ValueError(f"Unknown time zone {zone[:64]!r}; use one like Europe/Berlin.")
        ZoneInfo(zone)
        return zone

    @field_validator("days")
    @classmethod
    def _days(cls, days: list[str]) -> list[str]:
        return sorted(set(days), key=DAY_NAMES.index)

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        if not _TIME.match(value):
            raise ValueError("Write the time as HH:MM, like 09:00.")
        return value

    @model_validator(mode="after")
    def _order(self) -> AvailabilityIn:
        if self.end <= self.start:
            raise ValueError("The end of your hours must come after their start.")
        return self


class AvailabilityOut(BaseModel):
    timezone: str
    days: list[str]
    start: str
    end: str


def _keywords(words: list[str]) -> list[str]:
    cleaned: list[str] = []
    for word in words:
        word = " ".join(word.lower().split())
        if not word:
            continue
        if len(word) > 40:
            raise ValueError("A handover keyword has at most 40 characters.")
        if word not in cleaned:
            cleaned.append(word)
    return cleaned


class SettingsIn(BaseModel):
    """What to change; fields left out stay as they are. ``faq``, when given, replaces
    the whole FAQ."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    name: AssistantName | None = None
    new_clients_only: bool | None = None
    availability: AvailabilityIn | None = None
    out_of_office_until: date | None = Field(
        default=None, description="Your last day away (you are back the day after); null ends it."
    )
    out_of_office_mode: Literal["note", "silent"] | None = None
    handover_keywords: list[str] | None = Field(default=None, max_length=MAX_KEYWORDS)
    languages: list[str] | None = Field(default=None, min_length=1, max_length=len(LANGUAGES))
    never: Never | None = None
    follow_up_hours: int | None = Field(default=None, ge=1, le=168)
    quiet_hours: int | None = Field(default=None, ge=0, le=720)
    faq: list[FaqIn] | None = Field(default=None, max_length=MAX_FAQ_ENTRIES)

    @field_validator("name")
    @classmethod
    def _name(cls, name: str | None) -> str | None:
        if name is None:
            return None
        if has_bidi_control(name) or not visible_text(name):
            raise ValueError("Give the assistant a name people can read.")
        return visible_text(name)

    @field_validator("handover_keywords")
    @classmethod
    def _clean_keywords(cls, words: list[str] | None) -> list[str] | None:
        return None if words is None else _keywords(words)

    @field_validator("languages")
    @classmethod
    def _languages(cls, codes: list[str] | None) -> list[str] | None:
        if codes is None:
            return None
        unknown = [code for code in codes if code not in LANGUAGES]
        if unknown:
            known = ", ".join(LANGUAGES)
            raise ValueError(f"Unknown language {unknown[0][:10]!r}; use codes from: {known}.")
        return list(dict.fromkeys(codes))


class SettingsOut(BaseModel):
    enabled: bool
    active: bool
    """Whether it answers right now: on, a program member, not out of office."""
    name: str
    new_clients_only: bool
    availability: AvailabilityOut
    out_of_office_until: date | None
    out_of_office_mode: str
    handover_keywords: list[str]
    languages: list[str]
    never: str
    follow_up_hours: int
    quiet_hours: int
    faq: list[FaqIn]
    knowledge_passages: int


class HandoverOut(BaseModel):
    id: HandoverIdOut
    conversation_id: ConversationIdOut
    reason: str
    reason_label: str
    summary: str
    details: dict[str, Any]
    status: str
    created_at: datetime
    follow_up_sent_at: datetime | None


class HandoverPageOut(BaseModel):
    items: list[HandoverOut]
    page: int
    pages: int
    total: int


class DraftOut(BaseModel):
    id: DraftIdOut
    conversation_id: ConversationIdOut
    gig_id: Annotated[int | None, PublicIdOut("gig")]
    package_name: str | None
    requirements: str
    status: str
    created_at: datetime
    confirmed_at: datetime | None
