"""ASGI middleware: request size cap, visitor cookies, security headers."""

from __future__ import annotations

import json
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from twinwork.kit.csrf import CSRF_COOKIE, is_valid_token, new_csrf_token
from twinwork.kit.errors import PROBLEM_MEDIA_TYPE, problem
from twinwork.web.deps import VISITOR_COOKIE

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
}


class BodySizeLimit:
    """Refuse bodies over the limit with 413 before any handler buffers them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            problem(413, "Request too large", f"Requests are limited to {self.max_bytes} bytes.")
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class VisitorCookies:
    """Give every browser a CSRF token and a random visitor id, and add security headers.

    The new values go into ``request.state`` too, so the first page a visitor sees can already
    render forms with the token.
    """

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.secure = secure

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

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in new_cookies.items():
                    headers.append("set-cookie", self._cookie(name, value))
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cookies)

    def _cookie(self, name: str, value: str) -> str:
        # The CSRF cookie must stay readable by our own htmx script; the visitor id need not.
        http_only = "" if name == CSRF_COOKIE else "; HttpOnly"
        secure = "; Secure" if self.secure else ""
        return f"{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax{http_only}{secure}"


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope["headers"]:
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}
