"""Generations, licences and the pages that sell them are named by public ids; a plain row id
in a generation's or a model's URL names nothing once row ids are no longer read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.creation.echo import registered
from tests.creation.test_fake_modality import EchoModel, train_echo_model
from tests.web.test_pages import csrf_token, sign_in
from twinwork.kit import public_ids
from twinwork.kit.public_ids import looks_public
from twinwork.kit.storage import ObjectStorage


@pytest.fixture
async def model(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> AsyncIterator[EchoModel]:
    with registered():
        yield await train_echo_model(client, sessionmaker, storage)


async def test_generation_and_purchase_answers_carry_public_ids(
    client: httpx.AsyncClient, model: EchoModel
) -> None:
    buyer_json, buyer = await api_signup(client, display_name="Pam Public")
    assert (await top_up(client, buyer, 2000)).status_code == 201
    made = await client.post(
        f"/api/v1/models/{model.public_id}/generations",
        json={"brief": "A harbour song"},
        headers=buyer,
    )
    assert made.status_code == 201, made.text
    generation = made.json()
    assert looks_public(generation["id"])
    assert generation["model_id"] == model.public_id
    assert generation["version_id"] == public_ids.public_id("version", model.version_id)

    bought = await client.post(
        f"/api/v1/generations/{generation['id']}/purchase",
        headers={**buyer, "Idempotency-Key": "public-ids"},
    )
    assert bought.status_code == 200, bought.text
    body = bought.json()
    assert body["generation_id"] == generation["id"]
    licence = body["license"]
    assert looks_public(licence["id"]) and licence["generation_id"] == generation["id"]
    assert licence["buyer_user_id"] == buyer_json["id"]
    assert licence["owner_user_id"] == model.owner.public_id
    # The signed certificate is the document as issued: its own id was never a counter.
    assert body["certificate"]["id"] == body["certificate"]["payload"]["certificate_id"]


async def test_a_row_id_in_a_generation_url_is_a_404_and_pages_link_public_ids(
    client: httpx.AsyncClient, model: EchoModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    buyer_json, buyer = await api_signup(client, display_name="Pat Pages")
    made = await client.post(
        f"/api/v1/models/{model.public_id}/generations",
        json={"brief": "A ferry song"},
        headers=buyer,
    )
    generation_id = made.json()["id"]
    generation_row = public_ids.row_id("generation", generation_id)
    for url in (
        f"/api/v1/generations/{generation_row}",
        f"/api/v1/models/{model.model_id}/generations",
        # A model's public id is no generation's.
        f"/api/v1/generations/{model.public_id}",
    ):
        response = await client.request(
            "POST" if url.endswith("/generations") else "GET",
            url,
            json={"brief": "A ferry song"},
            headers=buyer,
        )
        assert response.status_code == 404, url
    assert (
        await client.get(f"/api/v1/generations/{generation_id}", headers=buyer)
    ).status_code == 200

    assert (await client.get(f"/models/{model.model_id}")).status_code == 404
    await sign_in(client, str(buyer_json["email"]))
    assert (await client.get(f"/generations/{generation_row}")).status_code == 404
    page = await client.get(f"/generations/{generation_id}")
    assert page.status_code == 200, page.text
    assert f'action="/generations/{generation_id}/purchase"' in page.text
    assert f'href="/models/{model.public_id}"' in page.text
    history = (await client.get("/dashboard/generations")).text
    assert f'href="/generations/{generation_id}"' in history
    public_page = (await client.get(f"/models/{model.public_id}")).text
    assert f'action="/models/{model.public_id}/generate"' in public_page

    made_on_page = await client.post(
        f"/models/{model.public_id}/generate",
        data={"csrf_token": await csrf_token(client), "brief": "A song for the ferry"},
    )
    assert made_on_page.status_code == 303, made_on_page.text
    location = made_on_page.headers["location"]
    assert looks_public(location.removeprefix("/generations/")), location
