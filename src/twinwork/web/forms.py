"""Helpers for HTML forms: read fields, validate with the API's own schemas, show errors."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.kit.db import mark_rollback_only
from twinwork.kit.errors import DomainError
from twinwork.web.templating import render

M = TypeVar("M", bound=BaseModel)


class FormErrors(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


async def form_data(request: Request) -> dict[str, Any]:
    """Form fields as a dict; a field sent several times (checkboxes) becomes a list."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        data[key] = values if len(values) > 1 else (values[0] if values else "")
    data.pop("csrf_token", None)
    return data


def form_idempotency_key(data: dict[str, Any]) -> str | None:
    """The key a page rendered into its form (taken out of ``data``): a double-click or a
    resent form is then one request. Anything that is not a key this page wrote counts as a
    fresh request."""
    key = str(data.pop("idempotency_key", "")) or None
    return key if key is not None and 1 <= len(key) <= 120 else None


def as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def validate(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            # Keyed by the form field; where in it (which package, which skill) goes into
            # the message, so the template finds the error next to the field.
            loc = [str(part) for part in err["loc"]] or ["form"]
            message = str(err["msg"]).removeprefix("Value error, ")
            if len(loc) > 1:
                where = " ".join(p if not p.isdigit() else f"#{int(p) + 1}" for p in loc[1:])
                message = f"{loc[0]} {where}: {message}".replace("_", " ")
            errors.setdefault(loc[0], message)
        raise FormErrors(errors) from exc


def domain_errors(exc: DomainError) -> dict[str, str]:
    return {exc.field or "form": exc.detail}


def form_error(
    request: Request,
    session: AsyncSession,
    template: str,
    data: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 422,
    context: dict[str, Any] | None = None,
) -> Response:
    """Show the form again with its errors; nothing the handler wrote is committed."""
    mark_rollback_only(session)
    data.pop("password", None)  # never echo a password back into the page
    return render(
        request,
        template,
        {**(context or {}), "values": data, "errors": errors},
        status_code=status_code,
    )
