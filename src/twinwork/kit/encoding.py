"""Bytes that arrive base64-encoded in a JSON body (files, recordings, pictures)."""

from __future__ import annotations

import base64
import binascii

from twinwork.kit.errors import ValidationFailed


def decode_base64(value: str, *, field: str, message: str) -> bytes:
    """The bytes, or a 422 on ``field`` with ``message`` (what the caller should send)."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(message, field=field) from exc
