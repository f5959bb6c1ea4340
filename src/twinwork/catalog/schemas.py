from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from twinwork.catalog.ai_tools import MAX_AI_TOOLS, MAX_FREE_TOOL_LENGTH, clean_ai_tools
from twinwork.catalog.models import PACKAGE_NAMES
from twinwork.kit.public_ids import GigIdOut, PublicIdOut
from twinwork.kit.text import CLEANED

PackageName = Literal["basic", "standard", "premium"]
GigStatus = Literal["draft", "published", "paused"]

MIN_PRICE_AMOUNT = 500
"""$5.00, in cents."""
MAX_PRICE_AMOUNT = 5_000_000
"""$50,000.00, in cents."""
_TAG = re.compile(r"^[a-z0-9][a-z0-9 \-+.#]{0,23}$")

Title = Annotated[str, Field(min_length=10, max_length=80), CLEANED]
Description = Annotated[str, Field(min_length=30, max_length=5000), CLEANED]
Requirements = Annotated[
    str,
    Field(
        max_length=2000,
        description="What you ask every buyer after they order; empty if the brief is enough.",
    ),
    CLEANED,
]
PackageTitle = Annotated[str, Field(max_length=60), CLEANED]
PackageSummary = Annotated[str, Field(max_length=300), CLEANED]
Headline = Annotated[str, Field(max_length=80), CLEANED]
Bio = Annotated[str, Field(max_length=2000), CLEANED]
Skill = Annotated[str, Field(min_length=1, max_length=40), CLEANED]
AiTool = Annotated[str, Field(min_length=1, max_length=60), CLEANED]


MIN_AI_PRICE_AMOUNT = 50
"""$0.50, in cents: what a model's per-use price may start at."""
MIN_HYBRID_PRICE_AMOUNT = 500
"""$5.00, in cents: hybrid work includes the freelancer's own hands, like a package."""


def _price_in_range(amount: int) -> int:
    if not MIN_PRICE_AMOUNT <= amount <= MAX_PRICE_AMOUNT:
        raise ValueError("Prices run from $5 to $50,000 (500 to 5000000 cents).")
    return amount


class PackageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PackageName
    title: PackageTitle | None = None
    summary: PackageSummary = ""
    price_amount: int = Field(
        description="Price in cents, from $5 to $50,000.",
        json_schema_extra={"minimum": MIN_PRICE_AMOUNT, "maximum": MAX_PRICE_AMOUNT},
    )
    delivery_days: int = Field(ge=1, le=90)
    revisions: int = Field(ge=0, le=20)
    ai_price_amount: int | None = Field(
        default=None,
        description=(
            "This package made by your active AI model, in cents ($0.50 to $50,000); "
            "null follows the model's per-use price."
        ),
        json_schema_extra={"minimum": MIN_AI_PRICE_AMOUNT, "maximum": MAX_PRICE_AMOUNT},
    )
    hybrid_price_amount: int | None = Field(
        default=None,
        description=(
            "This package as your model's draft refined by hand, in cents ($5 to $50,000); "
            "null follows the model's per-use price plus its refinement price."
        ),
        json_schema_extra={"minimum": MIN_HYBRID_PRICE_AMOUNT, "maximum": MAX_PRICE_AMOUNT},
    )

    @field_validator("price_amount")
    @classmethod
    def _price_range(cls, amount: int) -> int:
        return _price_in_range(amount)

    @field_validator("ai_price_amount")
    @classmethod
    def _ai_price_range(cls, amount: int | None) -> int | None:
        if amount is not None and not MIN_AI_PRICE_AMOUNT <= amount <= MAX_PRICE_AMOUNT:
            raise ValueError("AI prices run from $0.50 to $50,000 (50 to 5000000 cents).")
        return amount

    @field_validator("hybrid_price_amount")
    @classmethod
    def _hybrid_price_range(cls, amount: int | None) -> int | None:
        if amount is not None and not MIN_HYBRID_PRICE_AMOUNT <= amount <= MAX_PRICE_AMOUNT:
            raise ValueError("Hybrid prices run from $5 to $50,000 (500 to 5000000 cents).")
        return amount


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.lower().split())
        if not tag:
            continue
        if not _TAG.match(tag):
            raise ValueError(f"Tag {tag[:30]!r} must be 1-24 letters, digits, spaces or hyphens.")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def _check_packages(packages: list[PackageIn]) -> list[PackageIn]:
    names = [p.name for p in packages]
    if len(set(names)) != len(names):
        raise ValueError("Each package name (basic, standard, premium) may be used once.")
    ordered = sorted(packages, key=lambda p: PACKAGE_NAMES.index(p.name))
    prices = [p.price_amount for p in ordered]
    if any(later <= earlier for earlier, later in zip(prices, prices[1:], strict=False)):
        raise ValueError("Package prices must rise from basic to standard to premium.")
    return ordered


class GigCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description
    requirements: Requirements = ""
    category: str = Field(min_length=1, max_length=60, description="Category slug.")
    tags: list[str] = Field(default_factory=list, max_length=5)
    status: Literal["draft", "published"] = "draft"
    packages: list[PackageIn] = Field(min_length=1, max_length=3)

    @field_validator("tags")
    @classmethod
    def _tags_clean(cls, tags: list[str]) -> list[str]:
        return _clean_tags(tags)

    @field_validator("packages")
    @classmethod
    def _packages_consistent(cls, packages: list[PackageIn]) -> list[PackageIn]:
        return _check_packages(packages)


class GigUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    requirements: Requirements | None = None
    category: str | None = Field(default=None, min_length=1, max_length=60)
    tags: list[str] | None = Field(default=None, max_length=5)
    status: GigStatus | None = None
    packages: list[PackageIn] | None = Field(default=None, min_length=1, max_length=3)

    @field_validator("tags")
    @classmethod
    def _tags_clean(cls, tags: list[str] | None) -> list[str] | None:
        return None if tags is None else _clean_tags(tags)

    @field_validator("packages")
    @classmethod
    def _packages_consistent(cls, packages: list[PackageIn] | None) -> list[PackageIn] | None:
        return None if packages is None else _check_packages(packages)


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    group: str
    description: str


class PackageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    title: str
    summary: str
    price_amount: int
    currency: str
    delivery_days: int
    revisions: int
    ai_price_amount: int | None
    """Set by the freelancer, in cents; null follows the model's per-use price."""
    hybrid_price_amount: int | None
    """Set by the freelancer, in cents; null follows the model's per-use plus refinement price."""


class FreelancerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    handle: str
    display_name: str
    headline: str
    level: str
    rating: float
    review_count: int
    country: str
    works_with_ai: bool


class ProfileOut(FreelancerOut):
    bio: str
    skills: list[str]
    ai_tools: list[str]


class GigOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: GigIdOut
    title: str
    description: str
    requirements: str
    category: CategoryOut
    tags: list[str]
    status: str
    starting_price_amount: int
    fastest_delivery_days: int
    currency: str
    packages: list[PackageOut]
    freelancer: FreelancerOut
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    cover_image_id: Annotated[int | None, PublicIdOut("image")] = None
    """The gallery's first picture's public id: ``GET /gig-images/{id}?size=card`` (or
    ``large``)."""


class GigPageOut(BaseModel):
    items: list[GigOut]
    page: int
    page_size: int
    total: int
    pages: int


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    headline: Headline | None = None
    bio: Bio | None = None
    skills: list[Skill] | None = Field(default=None, max_length=12)
    ai_tools: list[AiTool] | None = Field(
        default=None,
        max_length=MAX_AI_TOOLS,
        description=(
            "The AI tools you work with: names from GET /api/v1/ai-tools in any case, or "
            f"others of at most {MAX_FREE_TOOL_LENGTH} characters."
        ),
    )
    country: str | None = None

    @field_validator("ai_tools")
    @classmethod
    def _ai_tools_clean(cls, tools: list[str] | None) -> list[str] | None:
        return None if tools is None else clean_ai_tools(tools)

    @field_validator("country")
    @classmethod
    def _country_code(cls, country: str | None) -> str | None:
        if country is not None and not re.fullmatch(r"([A-Z]{2})?", country, re.ASCII):
            raise ValueError(
                "Use a two-letter country code such as US, DE or JP, or leave it empty."
            )
        return country


class AiToolGroupOut(BaseModel):
    group: str
    tools: list[str]
