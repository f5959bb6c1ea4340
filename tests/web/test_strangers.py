"""Another freelancer's gig is not there for a stranger who tries to change it: the same
404 as a missing id, on the API and on the edit page."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup, create_user
from tests.catalog.factories import create_gig
from tests.web.test_pages import signed_in_user
from twinwork.kit.public_ids import public_id

MISSING = 2_000_000_000


async def test_a_strangers_draft_gig_answers_like_a_missing_id(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner = await create_user(session, roles=("freelancer",))
    gig = await create_gig(session, owner, status="draft")
    await session.commit()
    _, stranger = await api_signup(client, roles=("freelancer",))
    change = {"title": "Taken over by someone else"}
    response = await client.patch(f"/api/v1/gigs/{gig.public_id}", json=change, headers=stranger)
    nowhere = public_id("gig", MISSING)
    missing = await client.patch(f"/api/v1/gigs/{nowhere}", json=change, headers=stranger)
    assert response.status_code == missing.status_code == 404, response.text
    got, expected = response.json(), missing.json()
    assert (got["type"], got["title"]) == (expected["type"], expected["title"])
    assert got["detail"] == expected["detail"] and str(gig.id) not in got["detail"]
    await session.refresh(gig)
    assert gig.title != change["title"]


async def test_a_strangers_gig_edit_page_is_a_404(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner = await create_user(session, roles=("freelancer",))
    gig = await create_gig(session, owner, status="draft")
    await session.commit()
    await signed_in_user(client, session)
    assert (await client.get(f"/dashboard/gigs/{gig.public_id}/edit")).status_code == 404
