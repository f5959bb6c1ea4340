"""Every error becomes problem+json for the API and a readable page for browsers."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from twinwork.kit.db import is_unavailable
from twinwork.kit.errors import PROBLEM_MEDIA_TYPE, DomainError, problem
from twinwork.web.deps import LoginRequired
from twinwork.web.middleware import NO_STORE, SECURITY_HEADERS
from twinwork.web.templating import render

log = logging.getLogger("twinwork.web")


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path == "/healthz":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def problem_response(
    request: Request, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    status = int(body["status"])
    # Set here too, not only by the middleware: a 500 is answered from outside every
    # middleware, and no error is worth keeping in a cache.
    headers = {**SECURITY_HEADERS, "cache-control": NO_STORE, **(headers or {})}
    if wants_json(request):
        body.setdefault("instance", request.url.path)
        return JSONResponse(
            body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
        )
    response = render(request, "error.html", {"problem": body}, status_code=status)
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, LoginRequired) and not wants_json(request):
        # Come back to this page after signing in; a form post cannot be replayed by a GET,
        # so its return address is the dashboard instead.
        target = request.url.path if request.method == "GET" else "/dashboard"
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    headers = None
    if "retry_after_seconds" in exc.extra:
        headers = {"retry-after": str(exc.extra["retry_after_seconds"])}
    return problem_response(request, exc.to_problem(), headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(part) for part in err.get("loc", ()) if part != "body"),
            "message": str(err.get("msg", "invalid value")).removeprefix("Value error, "),
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['field'] or 'request'}: {e['message']}" for e in errors[:5])
    return problem_response(request, problem(422, "Invalid input", detail, errors=errors))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 401: "Sign in required"}
    title = titles.get(exc.status_code, "Request failed")
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"There is nothing at {request.url.path}."
    return problem_response(request, problem(exc.status_code, title, detail))


UNAVAILABLE_RETRY_SECONDS = 5


async def unexpected_error(request: Request, exc: Exception) -> Response:
    if is_unavailable(exc):
        # The database is down or restarting: say so, and when to try again; the pool
        # reconnects by itself once it is back.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            request,
            problem(
                503,
                "Service unavailable",
                "We cannot reach our database for a moment; nothing was changed. "
                f"Please try again in {UNAVAILABLE_RETRY_SECONDS} seconds.",
            ),
            {"retry-after": str(UNAVAILABLE_RETRY_SECONDS)},
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        problem(
            500,
            "Internal error",
            "Something went wrong on our side and nothing was changed. Please try again.",
        ),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
