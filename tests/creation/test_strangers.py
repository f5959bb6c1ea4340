"""Another freelancer's models, runs, versions and erasure receipts are not there for a
stranger: the answer is the 404 of a missing id, word for word, never a 403 that confirms
them. The public page of an approved model renders before it has a price."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup, create_user
from tests.creation.factories import StoredModel, stored_model
from tests.web.test_pages import sign_in
from twinwork.kit.public_ids import public_id

MISSING = 2_000_000_000
"""A row id no test reaches; its public ids name a row that is not there."""

Call = Callable[[httpx.AsyncClient, dict[str, str], str, str], Awaitable[httpx.Response]]


async def _patch_model(c: httpx.AsyncClient, h: dict[str, str], m: str, _: str) -> httpx.Response:
    return await c.patch(f"/api/v1/models/{m}", json={"price_amount": 100}, headers=h)


async def _get_run(c: httpx.AsyncClient, h: dict[str, str], _: str, r: str) -> httpx.Response:
    return await c.get(f"/api/v1/training-runs/{r}", headers=h)


async def _approve(c: httpx.AsyncClient, h: dict[str, str], m: str, _: str) -> httpx.Response:
    return await c.post(f"/api/v1/models/{m}/versions/{public_id('version', 1)}/approve", headers=h)


async def _receipt(c: httpx.AsyncClient, h: dict[str, str], m: str, _: str) -> httpx.Response:
    return await c.get(f"/api/v1/models/{m}/erasure-receipt", headers=h)


def same_shape(stranger: httpx.Response, missing: httpx.Response, real: str, absent: str) -> None:
    assert stranger.status_code == missing.status_code == 404, stranger.text
    got, expected = stranger.json(), missing.json()
    assert (got["type"], got["title"]) == (expected["type"], expected["title"])
    assert got["detail"] == expected["detail"].replace(absent, real)


async def strangers_model(
    client: httpx.AsyncClient, session: AsyncSession, **state: bool
) -> tuple[StoredModel, dict[str, str]]:
    owner = await create_user(session, roles=("freelancer",))
    stored = await stored_model(session, owner, **state)
    await session.commit()
    _, stranger = await api_signup(client, roles=("freelancer",))
    return stored, stranger


@pytest.mark.parametrize(
    ("call", "erased", "which"),
    [
        (_patch_model, False, "model"),
        (_get_run, False, "run"),
        (_approve, False, "model"),
        (_receipt, True, "model"),
    ],
    ids=["model", "run", "version-approve", "erasure-receipt"],
)
async def test_a_strangers_draft_answers_like_a_missing_id(
    client: httpx.AsyncClient, session: AsyncSession, call: Call, erased: bool, which: str
) -> None:
    stored, stranger = await strangers_model(client, session, erased=erased)
    model_id, run_id = stored.model.public_id, stored.run.public_id
    real = model_id if which == "model" else run_id
    absent = public_id(which, MISSING)
    response = await call(client, stranger, model_id, run_id)
    missing = await call(
        client,
        stranger,
        absent if which == "model" else model_id,
        absent if which == "run" else run_id,
    )
    same_shape(response, missing, real, absent)
    await session.refresh(stored.model)
    assert stored.model.approved_version_id is None and stored.model.price_amount is None


async def test_a_buyer_on_a_freelancer_endpoint_still_gets_403(
    client: httpx.AsyncClient,
) -> None:
    _, buyer = await api_signup(client)
    response = await client.post("/api/v1/models", json={"name": "Mine"}, headers=buyer)
    assert response.status_code == 403


async def test_public_page_of_an_approved_model_without_a_price_renders(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner = await create_user(session, roles=("freelancer",))
    stored = await stored_model(session, owner, approved=True)
    await session.commit()
    url = f"/models/{stored.model.public_id}"
    anonymous = await client.get(url)
    assert anonymous.status_code == 200, anonymous.text
    assert "Not priced yet" in anonymous.text
    await sign_in(client, owner.email)
    by_owner = await client.get(url)
    assert by_owner.status_code == 200, by_owner.text
    assert "Not priced yet" in by_owner.text and "generate-form" not in by_owner.text


async def test_a_strangers_unapproved_model_page_is_a_404(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner = await create_user(session, roles=("freelancer",))
    stored = await stored_model(session, owner)
    await session.commit()
    assert (await client.get(f"/models/{stored.model.public_id}")).status_code == 404
