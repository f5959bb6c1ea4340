"""Path parameters for integer ids: out-of-range ids are a 422, not a database overflow."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
