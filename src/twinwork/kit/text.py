"""Cleaning free text that people type: the same rules for every text field we store."""

from __future__ import annotations

import re

from pydantic import AfterValidator

# NUL cannot be stored by PostgreSQL; U+E000/U+E001 are our own highlight markers in search
# snippets; other C0 controls (but tab and newline) are never meant in a form field.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def clean_text(value: str) -> str:
    """Unify line endings (browsers send CRLF from textareas) and drop unwanted characters."""
    return _UNWANTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


# Put after the length constraint: Annotated[str, Field(max_length=80), CLEANED]. (Placed
# before it, the constraint's error would speak of "items" rather than characters.)
CLEANED = AfterValidator(clean_text)
