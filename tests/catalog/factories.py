from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.catalog.models import Gig
from twinwork.catalog.schemas import GigCreate
from twinwork.catalog.service import gig_service


def gig_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "I will design a minimalist logo for your bakery",
        "description": (
            "Clean vector logos for small food businesses. You get three concepts, "
            "two rounds of changes and every file format a printer asks for."
        ),
        "category": "logo-design",
        "tags": ["logo", "branding", "minimalist"],
        "status": "published",
        "packages": [
            {"name": "basic", "price_amount": 4500, "delivery_days": 3, "revisions": 1},
            {"name": "standard", "price_amount": 9000, "delivery_days": 5, "revisions": 3},
        ],
    }
    payload.update(overrides)
    return payload


async def create_gig(session: AsyncSession, owner: User, **overrides: Any) -> Gig:
    return await gig_service.create(
        session, owner, GigCreate.model_validate(gig_payload(**overrides))
    )


# A link, picture or form target with a plain row id in its path ("/gigs/12/edit").
_ROW_ID_LINK = re.compile(r'(?:href|src|action)="([^"]*/\d+(?:[/?#][^"]*)?)"')


def row_id_links(page: str) -> list[str]:
    """Links of a page that name a row by its counter instead of its public id."""
    return _ROW_ID_LINK.findall(page)
