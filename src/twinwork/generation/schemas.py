from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from twinwork.kit.text import CLEANED

BRIEF_MAX_LENGTH = 1000


class GenerationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    brief: Annotated[str, Field(min_length=1, max_length=BRIEF_MAX_LENGTH), CLEANED]

    @field_validator("brief")
    @classmethod
    def _brief_not_blank(cls, value: str) -> str:
        if len(value.strip()) < 3:
            raise ValueError("Describe what you need in a few words.")
        return value.strip()


class GenerationOut(BaseModel):
    id: int
    model_id: int
    version_id: int
    brief: str
    preview: str
    preview_notice: str
    purchased: bool
    price_amount: int
    """In cents."""
    currency: str
    created_at: datetime
    text: str | None = None
    """The full text, only once purchased."""


class LicenceOut(BaseModel):
    id: int
    generation_id: int
    buyer_user_id: int
    owner_user_id: int
    scope: str
    exclusive: bool
    price_amount: int
    """In cents."""
    currency: str
    issued_at: datetime


class CertificateOut(BaseModel):
    """Verify offline: Ed25519 ``signature`` over the canonical JSON (sorted keys, no spaces,
    UTF-8) of ``payload``, with ``public_key`` (base64 of the raw 32-byte key)."""

    id: str
    payload: dict[str, Any]
    signature: str
    algorithm: str
    key_id: str
    public_key: str


class PurchaseOut(BaseModel):
    generation_id: int
    text: str
    license: LicenceOut
    certificate: CertificateOut


class VerifyIn(BaseModel):
    """The certificate exactly as returned; optionally the text, to check it is the one
    the certificate covers."""

    model_config = ConfigDict(extra="allow")

    payload: dict[str, Any]
    signature: str = Field(max_length=200)
    algorithm: str = Field(default="Ed25519", max_length=20)
    text: str | None = Field(default=None, max_length=200_000)


class VerifyOut(BaseModel):
    valid: bool
    reason: str


class PublicKeyOut(BaseModel):
    algorithm: str
    key_id: str
    public_key: str
    public_key_pem: str
