"""Domain errors that carry their HTTP status, answered as RFC 9457 problem details."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a person can act on. ``detail`` says what to do about it."""

    status_code: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    type_slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": f"https://twinwork.dev/problems/{self.type_slug}",
            "title": self.title,
            "status": self.status_code,
            "detail": self.detail,
        }
        if instance:
            problem["instance"] = instance
        if self.field:
            problem["errors"] = [{"field": self.field, "message": self.detail}]
        problem.update(self.extra)
        return problem


class ValidationFailed(DomainError):
    status_code = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class NotAuthenticated(DomainError):
    status_code = 401
    title = "Sign in required"
    type_slug = "not-authenticated"


class Forbidden(DomainError):
    status_code = 403
    title = "Not allowed"
    type_slug = "forbidden"


class NotFound(DomainError):
    status_code = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"
    type_slug = "conflict"


class TooManyRequests(DomainError):
    status_code = 429
    title = "Too many requests"
    type_slug = "too-many-requests"


class PayloadTooLarge(DomainError):
    status_code = 413
    title = "Request too large"
    type_slug = "payload-too-large"


PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    slug = title.lower().replace(" ", "-")
    body: dict[str, Any] = {
        "type": f"https://twinwork.dev/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return body
