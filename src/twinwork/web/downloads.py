"""Files people sent each other, served back as downloads."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response


def attachment_response(data: bytes, name: str, content_type: str) -> Response:
    """Always a download, never rendered in the page: a sent .html or .svg must not run in
    twinwork's origin."""
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
