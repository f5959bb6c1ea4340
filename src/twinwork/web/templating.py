"""One Jinja2 environment over every domain's ``templates/`` folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from twinwork import __version__
from twinwork.catalog.countries import COUNTRY_NAMES, country_name
from twinwork.catalog.models import LEVEL_LABELS
from twinwork.config import get_settings
from twinwork.kit.money import format_amount, format_decimal
from twinwork.kit.public_ids import jinja_public_id
from twinwork.kit.text import format_file_size

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DOMAINS = (
    "web",
    "account",
    "catalog",
    "search",
    "billing",
    "program",
    "portfolio",
    "creation",
    "voice",
    "generation",
    "order",
    "equity",
    "trends",
    "notify",
    "inbox",
    "assistant",
)


def _context(request: Request) -> dict[str, Any]:
    state = request.state
    return {
        "current_user": getattr(state, "user", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        # The header's bell (see web.deps.page_user_optional).
        "unread_notifications": getattr(state, "unread_notifications", 0),
        "unread_messages": getattr(state, "unread_messages", 0),
        "app_version": __version__,
        "stripe_key": get_settings().stripe_elements_key or "",
    }


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"


environment = Environment(
    loader=ChoiceLoader(
        [FileSystemLoader(PACKAGE_ROOT / domain / "templates") for domain in TEMPLATE_DOMAINS]
    ),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["money"] = format_amount
environment.filters["decimal_amount"] = format_decimal
environment.filters["plural"] = _plural
environment.filters["filesize"] = format_file_size
environment.filters["country_name"] = country_name
environment.filters["public_id"] = jinja_public_id
environment.globals["level_labels"] = LEVEL_LABELS
environment.globals["country_names"] = COUNTRY_NAMES

templates = Jinja2Templates(env=environment, context_processors=[_context])


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)
