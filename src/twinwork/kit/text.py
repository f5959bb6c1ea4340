"""Cleaning free text that people type: the same rules for every text field we store."""

from __future__ import annotations

import re
import unicodedata

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


# Bidirectional controls reorder what follows them: "\u202eexe.txt" displays as "txt.exe".
# A name shown to other people must read as it is stored.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def has_bidi_control(value: str) -> bool:
    return any(char in _BIDI_CONTROLS for char in value)


def visible_text(value: str) -> str:
    """``value`` without format characters (Unicode Cf: zero-width spaces and joiners, soft
    hyphens, bidi marks) and with runs of whitespace as one space."""
    kept = "".join(char for char in value if unicodedata.category(char) != "Cf")
    return " ".join(kept.split())


def name_key(value: str) -> str:
    """What two names look like to a reader: compatibility forms folded (fullwidth letters,
    ligatures), case ignored, invisible characters and spacing dropped."""
    return visible_text(unicodedata.normalize("NFKC", value)).casefold()


def format_file_size(byte_size: int) -> str:
    """A size for people: 950 -> "950 bytes", 48_200 -> "48 KB", 3_400_000 -> "3.4 MB"."""
    if byte_size < 1000:
        return f"{byte_size} byte{'s' if byte_size != 1 else ''}"
    if byte_size < 1_000_000:
        return f"{round(byte_size / 1000)} KB"
    return f"{byte_size / 1_000_000:.1f} MB".replace(".0 MB", " MB")
