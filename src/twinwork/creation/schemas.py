from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from twinwork.kit.public_ids import ModelIdOut, PublicIdOut, RunIdOut, UserIdOut, VersionIdOut
from twinwork.kit.text import CLEANED
from twinwork.ml import DEFAULT_MODALITY, modality_names

ModelName = Annotated[str, Field(min_length=1, max_length=80), CLEANED]
LicenseScope = Literal["personal", "commercial"]


def _registered(name: str) -> str:
    if name not in modality_names():
        known = ", ".join(modality_names())
        raise ValueError(f"Unknown modality {name!r}: choose one of {known}.")
    return name


def _list_registered(schema: dict[str, Any]) -> None:
    schema["enum"] = list(modality_names())


ModalityName = Annotated[
    str,
    AfterValidator(_registered),
    # Read when the API schema is rendered, so it lists every modality registered by then.
    Field(json_schema_extra=_list_registered),
]

MIN_MODEL_PRICE_AMOUNT = 50
"""$0.50, in cents: below that card and ledger fees would eat the freelancer's share."""
MAX_MODEL_PRICE_AMOUNT = 100_000
"""$1,000.00, in cents."""


class ModelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    modality: ModalityName = DEFAULT_MODALITY
    name: ModelName


class LicenseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: LicenseScope = "personal"
    exclusive: bool = False


class ModelPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ModelName | None = None
    price_amount: (
        Annotated[int, Field(ge=MIN_MODEL_PRICE_AMOUNT, le=MAX_MODEL_PRICE_AMOUNT)] | None
    ) = None
    """Per use, in cents."""
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    license: LicenseIn | None = None
    refinement_price_amount: Annotated[int, Field(ge=500, le=5_000_000)] | None = None
    """Hybrid orders: refining the model's draft by hand, in cents ($5 to $50,000)."""


HEX_COLOR = r"^#[0-9A-Fa-f]{6}$"
ContentHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class CorrectionsIn(BaseModel):
    """The owner's corrections to what training learns; each later run's plan takes them.
    Send the whole set: what is left out is no longer corrected."""

    model_config = ConfigDict(extra="forbid")

    locked_colors: dict[str, Annotated[str, Field(pattern=HEX_COLOR)]] = Field(
        default_factory=dict, max_length=8
    )
    """Palette role ("background", "primary", "accent", "text") -> #RRGGBB."""
    excluded_designs: list[ContentHash] = Field(default_factory=list, max_length=200)
    """Content hashes of your designs to leave out of training."""

    @field_validator("locked_colors")
    @classmethod
    def _upper(cls, value: dict[str, str]) -> dict[str, str]:
        return {role: color.upper() for role, color in value.items()}


class PaletteColorOut(BaseModel):
    hex: str
    role: str
    weight: float
    locked: bool = False


class StyleOut(BaseModel):
    """What the latest trained version learned: the palette by role, the type and the
    layout, as the model uses them."""

    model_id: ModelIdOut
    version_id: VersionIdOut
    version: int
    palette: list[PaletteColorOut]
    fonts: list[dict[str, Any]]
    layout: dict[str, Any]
    shapes: dict[str, Any] | None = None
    designs: int | None = None
    """How many designs it was learned from."""
    picture_url: str | None = None


class LicenseOut(BaseModel):
    scope: str
    exclusive: bool


class VersionOut(BaseModel):
    id: VersionIdOut
    number: int
    run_id: RunIdOut
    base_model_id: str
    artifact_hash: str
    artifact_bytes: int
    training_samples: list[dict[str, Any]]
    heldout_samples: list[dict[str, Any]]
    hyperparameters: dict[str, Any]
    metrics: dict[str, float]
    evaluation_outputs: list[dict[str, str]]
    train_seconds: float
    approved: bool
    erased: bool
    created_at: datetime


class ModelOut(BaseModel):
    id: ModelIdOut
    owner_user_id: UserIdOut
    owner_name: str
    modality: str
    name: str
    status: Literal["draft", "inactive", "active", "erased"]
    approved_version_id: Annotated[int | None, PublicIdOut("version")]
    price_amount: int | None
    """Per use, in cents."""
    refinement_price_amount: int | None
    """Hybrid orders: the hand refinement on top of the per-use price, in cents."""
    currency: str
    license: LicenseOut
    created_at: datetime
    versions: list[VersionOut] | None = None
    """Only for the model's owner."""
    corrections: dict[str, Any] | None = None
    """Only for the model's owner: the corrections every new run's plan takes."""


class RunMetrics(BaseModel):
    """The evaluation of the run's version: each number for the base (the default a model
    starts from) and the personal model; which appear depends on the kind of model."""

    base_perplexity: float | None = None
    personal_perplexity: float | None = None
    base_style_similarity: float | None = None
    personal_style_similarity: float | None = None
    base_palette_distance: float | None = None
    """Designs: CIEDE2000 distance of generated palettes from held-out designs (lower is
    closer)."""
    personal_palette_distance: float | None = None
    base_layout_similarity: float | None = None
    """Designs: mean IoU of element boxes with held-out designs (higher is closer)."""
    personal_layout_similarity: float | None = None
    layout_overlap: float | None = None
    """Designs: mean overlap between the personal model's elements (lower is better)."""
    min_contrast_ratio: float | None = None
    """Designs: the lowest WCAG contrast of any text the personal model set."""
    base_speaker_similarity: float | None = None
    """Voices: cosine of speaker embeddings with your held-out recordings (higher is closer)."""
    personal_speaker_similarity: float | None = None
    ceiling_speaker_similarity: float | None = None
    """Voices: your held-out recordings with each other, the most a model could reach."""
    closer_than_base: float | None = None
    """1 when the personal model is measurably closer to your work than the base, else 0
    (such a version cannot be approved); absent where the modality does not say."""

    @model_serializer(mode="wrap")
    def _measured_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Each kind of model reports its own numbers: the others are left out, not null.
        return {k: v for k, v in handler(self).items() if v is not None}


class RunProgress(BaseModel):
    phase: str
    step: int
    total_steps: int
    fraction: float
    loss: float | None
    eta_seconds: float | None


class RunOut(BaseModel):
    id: RunIdOut
    model_id: ModelIdOut
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    progress: RunProgress
    error: str | None
    version_id: Annotated[int | None, PublicIdOut("version")]
    metrics: RunMetrics
    sample_count: int
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SignedDocumentOut(BaseModel):
    """A document signed by the platform: check ``signature`` over the canonical JSON of
    ``payload`` with ``public_key`` (Ed25519, base64)."""

    id: str
    payload: dict[str, Any]
    signature: str
    algorithm: str
    key_id: str
    public_key: str
