"""Email address syntax, checked the way sign-up forms need it (deliverability is proven
later, by the address receiving mail, not by rules about domain names)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{4,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def normalise_email(value: str) -> str:
    value = value.strip().lower()
    local = value.split("@", 1)[0]
    if not _EMAIL.match(value) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise ValueError("Enter an email address like name@example.com.")
    return value


EmailAddress = Annotated[str, Field(max_length=254), AfterValidator(normalise_email)]
