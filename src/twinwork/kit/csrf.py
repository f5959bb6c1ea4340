"""CSRF protection for the HTML pages: a signed double-submit token.

Every page gets a ``tw_csrf`` cookie; forms carry the same value in a hidden ``csrf_token``
field (htmx requests send it as the ``X-CSRF-Token`` header). A cross-site form cannot read
the cookie, so it cannot send a matching field. The JSON API uses bearer tokens instead of
cookies and needs no such check.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer

from twinwork.config import get_settings
from twinwork.kit.errors import Forbidden

CSRF_COOKIE = "tw_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(Forbidden):
    title = "Form expired"
    type_slug = "csrf-failed"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().resolved_secret_key, salt="csrf")


def new_csrf_token() -> str:
    return str(_serializer().dumps(secrets.token_urlsafe(24)))


def is_valid_token(token: str) -> bool:
    try:
        _serializer().loads(token)
    except BadSignature:
        return False
    return True


async def verify_csrf(request: Request) -> None:
    """Router dependency for every page route; a no-op for safe methods."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else ""
    # Compared as bytes: compare_digest refuses non-ASCII str, and a forged value may be any.
    matches = hmac.compare_digest(cookie.encode(), submitted.encode())
    if not cookie or not submitted or not matches:
        raise CsrfFailed(
            "This form has expired or did not come from twinwork. Reload the page and try again."
        )
    if not is_valid_token(cookie):
        raise CsrfFailed("This form's security token is invalid. Reload the page and try again.")
