from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from twinwork.kit.public_ids import (
    GenerationIdOut,
    LicenceIdOut,
    ModelIdOut,
    UserIdOut,
    VersionIdOut,
)
from twinwork.kit.text import CLEANED
from twinwork.ml import modalities

BRIEF_MAX_LENGTH = max((m.brief_max_chars for m in modalities()), default=1000)
"""The longest brief any modality takes (a narration's script); each model's own modality
then holds its brief to its ``brief_max_chars`` before anything runs."""
MAX_ATTACHMENT_FIELD = 7_000_000
"""Characters of one base64 attachment (5 MB decoded, checked again when decoded)."""


class GenerationIn(BaseModel):
    """The brief and, for a model whose modality takes them, its options under the
    modality's own field (a design model's ``design``) and images the buyer attaches."""

    # Open for the options fields the registered modalities name, and nothing else.
    model_config = ConfigDict(extra="allow")

    brief: Annotated[str, Field(min_length=1, max_length=BRIEF_MAX_LENGTH), CLEANED]
    attachments: (
        dict[
            Annotated[str, Field(max_length=32)],
            Annotated[str, Field(max_length=MAX_ATTACHMENT_FIELD)],
        ]
        | None
    ) = Field(
        default=None,
        max_length=4,
        description='Images by name (e.g. "logo"), base64; only for models that take options.',
    )

    @field_validator("brief")
    @classmethod
    def _brief_not_blank(cls, value: str) -> str:
        if len(value.strip()) < 3:
            raise ValueError("Describe what you need in a few words.")
        return value.strip()

    @model_validator(mode="after")
    def _only_options_fields(self) -> GenerationIn:
        extra = self.model_extra or {}
        known = {m.options_field for m in modalities() if m.options_field}
        unknown = sorted(set(extra) - known)
        if unknown:
            raise ValueError(f"Unknown field(s): {', '.join(unknown)[:200]}.")
        if len(extra) > 1:
            raise ValueError("Send the options of one kind of model only.")
        for name, value in extra.items():
            if not isinstance(value, dict):
                raise ValueError(f"'{name}' must be an object of options.")
        return self

    @property
    def options_field(self) -> str | None:
        return next(iter(self.model_extra or {}), None)

    @property
    def options(self) -> dict[str, Any] | None:
        extra = self.model_extra or {}
        value = extra.get(self.options_field) if self.options_field else None
        return value if isinstance(value, dict) else None


class FileOut(BaseModel):
    """One file of a generation; ``url`` downloads it with the same credentials (an API
    token for API addresses, the session cookie for page addresses)."""

    name: str
    content_type: str
    byte_size: int
    sha256: str
    """Of the file as served (for a signed file: with its content credentials)."""
    url: str


class PriceOut(BaseModel):
    """How a generation's price breaks down: ``units`` times ``unit_price_amount``, as the
    model's modality counts units (one per use; a narration: one per started 100 words)."""

    units: int
    unit_price_amount: int
    """In cents."""
    amount: int
    """In cents: ``units`` × ``unit_price_amount``, what a purchase charges."""
    currency: str
    unit_label: str
    """What one unit is: "per use", "per started 100 words"."""
    summary: str
    """For people: "$4.50", or "3 × $2.50 = $7.50"."""


class GenerationOut(BaseModel):
    id: GenerationIdOut
    model_id: ModelIdOut
    version_id: VersionIdOut
    brief: str
    preview: str
    preview_notice: str
    purchased: bool
    price_amount: int
    """In cents."""
    currency: str
    price: PriceOut | None = None
    """How ``price_amount`` breaks down into units of the model's price."""
    created_at: datetime
    text: str | None = None
    """The full text, only once purchased."""
    preview_files: list[FileOut] = []
    """Watermarked, reduced copies of the files, for models whose work is files."""
    files: list[FileOut] | None = None
    """The full files (signed with content credentials where their type allows), only once
    purchased; None before."""
    archive: FileOut | None = None
    """One zip of all the full files, only once purchased."""


class LicenceOut(BaseModel):
    id: LicenceIdOut
    generation_id: GenerationIdOut
    buyer_user_id: UserIdOut
    owner_user_id: UserIdOut
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
    generation_id: GenerationIdOut
    text: str
    license: LicenceOut
    certificate: CertificateOut
    price: PriceOut | None = None
    """How the price paid breaks down into units of the model's price."""
    files: list[FileOut] = []
    """The full files: images and audio carry C2PA content credentials, SVGs as they are."""
    archive: FileOut | None = None
    """One zip of all the full files; None for text."""


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
