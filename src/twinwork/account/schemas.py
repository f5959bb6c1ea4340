from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from twinwork.kit.email import EmailAddress
from twinwork.kit.public_ids import TokenIdOut, UserIdOut
from twinwork.kit.text import CLEANED

SignupRole = Literal["buyer", "freelancer"]
DisplayName = Annotated[str, Field(min_length=1, max_length=60), CLEANED]


class SignupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailAddress
    password: str = Field(min_length=1, max_length=128)
    display_name: DisplayName
    roles: list[SignupRole] = Field(
        default_factory=lambda: list[SignupRole](["buyer"]), min_length=1, max_length=2
    )


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=128)
    label: Annotated[str, Field(min_length=1, max_length=60), CLEANED] = Field(
        default="api", description="What the token is for, shown in your list of tokens."
    )


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UserIdOut
    email: str
    display_name: str
    roles: list[str]
    created_at: datetime


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class ApiTokenOut(BaseModel):
    """One of your API tokens, without its secret (only its digest is stored)."""

    model_config = ConfigDict(from_attributes=True)

    id: TokenIdOut
    """The token's public id: ``DELETE /auth/tokens/{id}`` revokes it."""
    label: str = Field(validation_alias="name")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime


class SignupOut(BaseModel):
    user: UserOut
    token: str
