from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.catalog.factories import gig_payload, row_id_links
from twinwork.catalog.models import Gig, GigPackage
from twinwork.kit import public_ids

PROBLEM = "application/problem+json"


async def gig_rows(session: AsyncSession) -> tuple[int, int]:
    gigs = await session.scalar(select(func.count()).select_from(Gig))
    packages = await session.scalar(select(func.count()).select_from(GigPackage))
    return int(gigs or 0), int(packages or 0)


async def test_categories_include_classic_and_ai_ones(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/categories")
    slugs = {c["slug"] for c in response.json()}
    assert {"voice-over", "logo-design", "song-lyrics", "copywriting"} <= slugs
    assert {"ai-agent-development", "comfyui-workflows", "vibe-coding"} <= slugs


async def test_freelancer_creates_and_publishes_a_gig(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("freelancer",), display_name="Pia Lund")
    response = await client.post(
        "/api/v1/gigs",
        json=gig_payload(status="draft", tags=["Logo", " logo ", "Brand Kit"]),
        headers=headers,
    )
    assert response.status_code == 201, response.text
    gig = response.json()
    assert gig["status"] == "draft" and gig["published_at"] is None
    assert gig["tags"] == ["logo", "brand kit"]
    assert gig["starting_price_amount"] == 4500
    assert gig["fastest_delivery_days"] == 3
    assert [p["name"] for p in gig["packages"]] == ["basic", "standard"]
    assert gig["freelancer"]["display_name"] == "Pia Lund"

    # A draft is invisible to others, visible to its owner.
    assert (await client.get(f"/api/v1/gigs/{gig['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/gigs/{gig['id']}", headers=headers)).status_code == 200

    published = await client.patch(
        f"/api/v1/gigs/{gig['id']}", json={"status": "published"}, headers=headers
    )
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] is not None
    assert (await client.get(f"/api/v1/gigs/{gig['id']}")).status_code == 200


async def test_updating_packages_replaces_them_in_place(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    gig = (await client.post("/api/v1/gigs", json=gig_payload(), headers=headers)).json()
    packages = [
        {"name": "basic", "price_amount": 5000, "delivery_days": 2, "revisions": 0},
        {"name": "premium", "price_amount": 20000, "delivery_days": 7, "revisions": 5},
    ]
    response = await client.patch(
        f"/api/v1/gigs/{gig['id']}", json={"packages": packages}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(p["name"], p["price_amount"]) for p in body["packages"]] == [
        ("basic", 5000),
        ("premium", 20000),
    ]
    assert body["starting_price_amount"] == 5000 and body["fastest_delivery_days"] == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "underwater-basket-weaving"}, "category"),
        ({"title": "Logo"}, "title"),
        ({"title": "x" * 81}, "title"),
        ({"description": "too short"}, "description"),
        ({"description": "y" * 5001}, "description"),
        ({"tags": ["a", "b", "c", "d", "e", "f"]}, "tags"),
        ({"tags": ["<script>"]}, "tags"),
        ({"packages": []}, "packages"),
        ({"status": "paused"}, "status"),
        (
            {
                "packages": [
                    {"name": "basic", "price_amount": -100, "delivery_days": 1, "revisions": 0}
                ]
            },
            "price_amount",
        ),
        (
            {
                "packages": [
                    {"name": "basic", "price_amount": 0, "delivery_days": 1, "revisions": 0}
                ]
            },
            "price_amount",
        ),
        (
            {
                "packages": [
                    {"name": "basic", "price_amount": 10**12, "delivery_days": 1, "revisions": 0}
                ]
            },
            "price_amount",
        ),
        (
            {
                "packages": [
                    {"name": "basic", "price_amount": 45.5, "delivery_days": 1, "revisions": 0}
                ]
            },
            "price_amount",
        ),
        (
            {
                "packages": [
                    {"name": "basic", "price_amount": 900, "delivery_days": 0, "revisions": 0}
                ]
            },
            "delivery_days",
        ),
        (
            {
                "packages": [
                    {"name": "basic", "price_amount": 9000, "delivery_days": 2, "revisions": 1},
                    {"name": "standard", "price_amount": 4000, "delivery_days": 3, "revisions": 1},
                ]
            },
            "packages",
        ),
        (
            {
                "packages": [
                    {"name": "basic", "price_amount": 900, "delivery_days": 2, "revisions": 1},
                    {"name": "basic", "price_amount": 1900, "delivery_days": 3, "revisions": 1},
                ]
            },
            "packages",
        ),
    ],
)
async def test_invalid_gig_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient,
    session: AsyncSession,
    overrides: dict[str, Any],
    field: str,
) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    before = await gig_rows(session)
    response = await client.post("/api/v1/gigs", json=gig_payload(**overrides), headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in response.text
    assert await gig_rows(session) == before


async def test_buyer_cannot_create_gigs(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("buyer",))
    response = await client.post("/api/v1/gigs", json=gig_payload(), headers=headers)
    assert response.status_code == 403
    assert "freelancer" in response.json()["detail"].lower()


async def test_creating_a_gig_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/v1/gigs", json=gig_payload())).status_code == 401


async def test_freelancer_cannot_edit_someone_elses_gig(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, owner = await api_signup(client, roles=("freelancer",))
    _, intruder = await api_signup(client, roles=("freelancer",))
    gig = (await client.post("/api/v1/gigs", json=gig_payload(), headers=owner)).json()
    response = await client.patch(
        f"/api/v1/gigs/{gig['id']}", json={"title": "Taken over by someone else"}, headers=intruder
    )
    assert response.status_code == 404
    stored = await session.get(Gig, public_ids.row_id("gig", gig["id"]))
    assert stored is not None and stored.title == gig["title"]


async def test_unknown_gig_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/gigs/999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_gigs_are_named_by_public_ids_and_a_row_id_names_nothing(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    gig = (await client.post("/api/v1/gigs", json=gig_payload(), headers=headers)).json()
    assert re.fullmatch(public_ids.PATTERN, gig["id"]), gig["id"]
    listed = (await client.get("/api/v1/gigs")).json()["items"]
    assert gig["id"] in [item["id"] for item in listed]
    stored = await session.get(Gig, public_ids.row_id("gig", gig["id"]))
    assert stored is not None and stored.public_id == gig["id"]

    for url in (f"/api/v1/gigs/{stored.id}", f"/gigs/{stored.id}"):
        assert (await client.get(url)).status_code == 404, url
    # Another kind's id for the same row names no gig either.
    order_id = public_ids.public_id("order", stored.id)
    assert (await client.get(f"/api/v1/gigs/{order_id}")).status_code == 404
    assert (await client.get(f"/api/v1/gigs/{gig['id']}")).status_code == 200
    page = await client.get(f"/gigs/{gig['id']}")
    assert page.status_code == 200 and row_id_links(page.text) == []


async def test_gig_list_pages_and_refuses_pages_out_of_range(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    for i in range(3):
        await client.post(
            "/api/v1/gigs", json=gig_payload(title=f"Gig number {i} for paging"), headers=headers
        )
    first = (await client.get("/api/v1/gigs", params={"page": 1})).json()
    assert first["total"] >= 3 and first["page"] == 1
    beyond = await client.get("/api/v1/gigs", params={"page": first["pages"] + 1})
    assert beyond.status_code == 404
    assert (await client.get("/api/v1/gigs", params={"page": 0})).status_code == 422


async def test_profile_is_public_and_editable_by_its_owner(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("freelancer",), display_name="Oren Vale")
    updated = await client.patch(
        "/api/v1/me/profile",
        json={"headline": "Voice actor", "skills": ["Narration", "Narration", "Audiobooks"]},
        headers=headers,
    )
    assert updated.status_code == 200
    handle = updated.json()["handle"]
    public = (await client.get(f"/api/v1/freelancers/{handle}")).json()
    assert public["headline"] == "Voice actor"
    assert public["skills"] == ["Narration", "Audiobooks"]
    assert (await client.get("/api/v1/freelancers/nobody-here")).status_code == 404
