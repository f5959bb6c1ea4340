"""Personal models, runs and versions are named by public ids in every answer, link and
redirect; a plain row id in their URLs names nothing once row ids are no longer read."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.creation.factories import StoredModel, stored_model
from tests.web.test_pages import csrf_token, sign_in
from twinwork.account.models import User
from twinwork.kit import public_ids
from twinwork.kit.public_ids import looks_public


async def owned_model(
    client: httpx.AsyncClient, session: AsyncSession
) -> tuple[StoredModel, dict[str, str], User]:
    user_json, headers = await api_signup(client, roles=("freelancer",))
    owner = await session.get(User, public_ids.row_id("user", user_json["id"]))
    assert owner is not None
    stored = await stored_model(session, owner, approved=True)
    await session.commit()
    return stored, headers, owner


async def test_answers_name_models_runs_and_versions_by_public_ids(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    stored, headers, owner = await owned_model(client, session)
    model = (await client.get(f"/api/v1/models/{stored.model.public_id}", headers=headers)).json()
    assert model["id"] == stored.model.public_id
    assert model["owner_user_id"] == owner.public_id
    assert model["approved_version_id"] == stored.version.public_id
    [version] = model["versions"]
    assert (version["id"], version["run_id"]) == (stored.version.public_id, stored.run.public_id)
    assert all(looks_public(v) for v in (model["id"], version["id"], version["run_id"]))

    run = (
        await client.get(f"/api/v1/training-runs/{stored.run.public_id}", headers=headers)
    ).json()
    assert (run["id"], run["model_id"], run["version_id"]) == (
        stored.run.public_id,
        stored.model.public_id,
        stored.version.public_id,
    )
    listed = (await client.get("/api/v1/models", headers=headers)).json()
    assert [m["id"] for m in listed] == [stored.model.public_id]


async def test_a_row_id_in_a_model_url_is_a_404_and_pages_link_public_ids(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored, headers, owner = await owned_model(client, session)
    model_row, run_row, version_row = stored.model.id, stored.run.id, stored.version.id
    for url in (
        f"/api/v1/models/{model_row}",
        f"/api/v1/models/{model_row}/versions",
        f"/api/v1/training-runs/{run_row}",
        # A run's public id is no model's.
        f"/api/v1/models/{stored.run.public_id}",
    ):
        assert (await client.get(url, headers=headers)).status_code == 404, url
    approve = f"/api/v1/models/{stored.model.public_id}/versions/{version_row}/approve"
    assert (await client.post(approve, headers=headers)).status_code == 404

    await sign_in(client, owner.email)
    assert (await client.get(f"/dashboard/models/{model_row}")).status_code == 404
    page = await client.get(f"/dashboard/models/{stored.model.public_id}")
    assert page.status_code == 200, page.text
    text = page.text
    assert f"/dashboard/models/{stored.model.public_id}/train" in text
    assert f"/versions/{stored.version.public_id}/approve" not in text  # approved already
    assert f"/dashboard/models/{model_row}/" not in text
    assert stored.run.reference in text  # the runs table names the run by its reference
    listing = (await client.get("/dashboard/models")).text
    assert f'href="/dashboard/models/{stored.model.public_id}"' in listing

    # Actions redirect to the public URL.
    deactivated = await client.post(
        f"/dashboard/models/{stored.model.public_id}/deactivate",
        data={"csrf_token": await csrf_token(client)},
    )
    assert deactivated.status_code == 303
    location = deactivated.headers["location"]
    assert location == f"/dashboard/models/{stored.model.public_id}?done=deactivated"
