"""ASGI middleware: request size cap, visitor cookies, security and caching headers."""

from __future__ import annotations

import json
import re
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from twinwork.kit.csrf import CSRF_COOKIE, is_valid_token, new_csrf_token
from twinwork.kit.errors import PROBLEM_MEDIA_TYPE, problem
from twinwork.web.deps import SESSION_COOKIE, VISITOR_COOKIE

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
}
# With Stripe, card fields are Stripe.js Elements: its script, its frames and its API.
STRIPE_CSP = (
    "default-src 'self'; img-src 'self' data: https://*.stripe.com; style-src 'self'; "
    "script-src 'self' https://js.stripe.com https://*.js.stripe.com; "
    "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; "
    "connect-src 'self' https://api.stripe.com; "
    "frame-ancestors 'none'; form-action 'self'"
)


NO_STORE = "no-store"
"""Answers about someone (their pages, every API answer) must not be kept by any cache."""


def security_headers(*, stripe_elements: bool) -> dict[str, str]:
    if not stripe_elements:
        return SECURITY_HEADERS
    return {**SECURITY_HEADERS, "content-security-policy": STRIPE_CSP}


# NUL cannot be stored by PostgreSQL and is never meant in text a person typed: refused at
# the edge, in the URL and in JSON or form bodies (file uploads may of course contain it).
_NUL_IN_URL = (b"%00", b"\x00")
_NUL_IN_TEXT_BODY = (b"\x00", b"\\u0000", b"%00")
_TEXT_BODY_TYPES = (b"application/json", b"application/x-www-form-urlencoded")
NUL_IN_BODY = (
    "The request contains a NUL character (\\u0000 or %00), which no text field may hold. "
    "Remove it and send the request again."
)


class RequestGuard:
    """Refuse oversized bodies (413) and NUL characters (400) before any handler runs."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_max_bytes: int | None = None,
        upload_paths: re.Pattern[str] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Routes that take files (deliveries) may receive more than the everyday limit.
        self.upload_max_bytes = upload_max_bytes or max_bytes
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if any(marker in url.lower() for marker in _NUL_IN_URL):
            await _refuse(send, 400, "Invalid input", "The address contains a NUL character.")
            return
        headers = dict(scope["headers"])
        max_bytes = self.max_bytes
        if self.upload_paths is not None and self.upload_paths.fullmatch(scope.get("path", "")):
            max_bytes = self.upload_max_bytes
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > max_bytes:
            await _too_large(send, max_bytes)
            return
        text_body = headers.get(b"content-type", b"").split(b";")[0].strip() in _TEXT_BODY_TYPES
        received = 0
        tail = b""
        refused: int | None = None
        started = False

        async def guarded_receive() -> Message:
            nonlocal received, tail, refused
            message = await receive()
            if message["type"] == "http.request":
                # Counted as the bytes arrive: a chunked body has no Content-Length to trust.
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > max_bytes:
                    refused = 413
                    raise _Refused(413)
                window = tail + chunk  # a marker may straddle two chunks
                if text_body and any(marker in window for marker in _NUL_IN_TEXT_BODY):
                    refused = 400
                    raise _Refused(400)
                tail = window[-6:]
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            # Whatever the app made of a body this guard refused (FastAPI turns the error
            # into a generic "error parsing the body") is dropped; the guard answers.
            if refused is not None and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except Exception:
            if refused is None or started:
                raise
        if refused is None or started:
            return
        if refused == 413:
            await _too_large(send, max_bytes)
        else:
            await _refuse(send, 400, "Invalid input", NUL_IN_BODY)


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


async def _too_large(send: Send, max_bytes: int) -> None:
    await _refuse(send, 413, "Request too large", f"Requests are limited to {max_bytes} bytes.")


async def _refuse(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps(problem(status, title, detail)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", NO_STORE.encode()),
                *((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class VisitorCookies:
    """Give every browser a CSRF token and a random visitor id, and add security headers.

    The new values go into ``request.state`` too, so the first page a visitor sees can already
    render forms with the token.
    """

    def __init__(self, app: ASGIApp, secure: bool, stripe_elements: bool = False) -> None:
        self.app = app
        self.secure = secure
        self.headers = security_headers(stripe_elements=stripe_elements)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        new_cookies: dict[str, str] = {}
        csrf = cookies.get(CSRF_COOKIE, "")
        if not csrf or not is_valid_token(csrf):
            csrf = new_csrf_token()
            new_cookies[CSRF_COOKIE] = csrf
        if not cookies.get(VISITOR_COOKIE):
            new_cookies[VISITOR_COOKIE] = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["csrf_token"] = csrf
        private = _is_private(scope, cookies)

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in new_cookies.items():
                    headers.append("set-cookie", self._cookie(name, value))
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
                signs_in = any(
                    value.startswith(f"{SESSION_COOKIE}=")
                    for value in headers.getlist("set-cookie")
                )
                if private or signs_in:
                    headers["cache-control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_with_cookies)

    def _cookie(self, name: str, value: str) -> str:
        # The CSRF cookie must stay readable by our own htmx script; the visitor id need not.
        http_only = "" if name == CSRF_COOKIE else "; HttpOnly"
        secure = "; Secure" if self.secure else ""
        return f"{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax{http_only}{secure}"


def _is_private(scope: Scope, cookies: dict[str, str]) -> bool:
    """Every API answer, and every page but static files for someone signed in."""
    path = str(scope.get("path", ""))
    if path.startswith("/api/"):
        return True
    if path.startswith("/static/"):
        return False
    signed_in = bool(cookies.get(SESSION_COOKIE)) or any(
        name == b"authorization" for name, _ in scope["headers"]
    )
    return signed_in


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope["headers"]:
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}
