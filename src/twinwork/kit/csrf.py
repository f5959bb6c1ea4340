"""CSRF protection for the HTML pages: a signed double-submit token bound to the session.

Every page gets a ``tw_csrf`` cookie; forms carry the page token in a hidden ``csrf_token``
field (htmx requests send it as the ``X-CSRF-Token`` header). A cross-site form cannot read
the cookie, so it cannot send a matching field. The JSON API uses bearer tokens instead of
cookies and needs no such check.

The token is bound to the browser session: signing in rotates the cookie to one that names
(an HMAC of) the new session, and a token minted for no session or another session is refused.
So a token learnt before sign-in, or planted by a sibling subdomain, is worth nothing. Where
the cookie is not bound to the session it travels with (a session from before binding), the
pages carry an HMAC of the cookie and the session instead, which only the server can make.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer

from twinwork.config import get_settings
from twinwork.kit.errors import Forbidden

CSRF_COOKIE = "tw_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_COOKIE_MAX_AGE = 31536000
SESSION_COOKIE = "tw_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(Forbidden):
    title = "Form expired"
    type_slug = "csrf-failed"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().resolved_secret_key, salt="csrf")


def _mac(purpose: str, value: str) -> str:
    key = get_settings().resolved_secret_key.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def _session_binding(session_token: str | None) -> str:
    return _mac("csrf-session", session_token)[:32] if session_token else ""


def new_csrf_token(session_token: str | None = None) -> str:
    """A fresh token, bound to ``session_token`` when given (minted at sign-in)."""
    return str(_serializer().dumps([secrets.token_urlsafe(24), _session_binding(session_token)]))


def _binding_of(token: str) -> str | None:
    """The session binding a token carries ("" for none), or None when it is forged."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    # Tokens from before binding are a bare nonce: bound to no session.
    if isinstance(payload, list) and len(payload) == 2 and isinstance(payload[1], str):
        return payload[1]
    return ""


def is_valid_token(token: str) -> bool:
    return _binding_of(token) is not None


def page_token(cookie: str, session_token: str | None) -> str:
    """The value forms must send with this cookie and session: the cookie itself when it is
    bound to the session, else an HMAC of both."""
    binding = _session_binding(session_token)
    if _binding_of(cookie) == binding:
        return cookie
    return "m." + _mac("csrf-page", f"{cookie}|{binding}")


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
    if not cookie or not submitted:
        raise CsrfFailed(
            "This form has expired or did not come from twinwork. Reload the page and try again."
        )
    if not is_valid_token(cookie):
        raise CsrfFailed("This form's security token is invalid. Reload the page and try again.")
    expected = page_token(cookie, request.cookies.get(SESSION_COOKIE))
    # Compared as bytes: compare_digest refuses non-ASCII str, and a forged value may be any.
    if not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise CsrfFailed(
            "This form has expired or did not come from twinwork. Reload the page and try again."
        )
