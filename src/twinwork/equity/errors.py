"""The equity programme's errors, each with its status and what to do next."""

from __future__ import annotations

from twinwork.kit.errors import DomainError


class RoundNotDue(DomainError):
    status_code = 409
    title = "Measurement year not over"
    type_slug = "equity-round-not-due"


class RoundAlreadyRun(DomainError):
    status_code = 409
    title = "Round already run"
    type_slug = "equity-round-already-run"


class GrantNotFound(DomainError):
    status_code = 404
    title = "Not found"
    type_slug = "not-found"
