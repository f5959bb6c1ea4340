"""A personal design model, end to end: designs uploaded to the portfolio, a real training run
(reading the files from object storage, each read in the data-use ledger), the evaluation's
numbers on the run, the learned style for its owner only, corrections passed into the next
plan, and the approval rule for a version that learned nothing of the owner's style."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.creation.conftest import join_program
from tests.creation.factories import stored_model
from tests.web.test_pages import csrf_token, sign_in
from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.creation.training import execute_run
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.ml import GenerateRequest, ModelEnvironment, get_modality
from twinwork.ml.design.demo import MINT, NAVY, SyntheticPalette, raster_design
from twinwork.portfolio.service import ProvenanceViolation

DESIGNS = 9
SIDE = (300, 300)


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    """Object storage without the files of earlier tests: ids come back once a test's
    transaction is rolled back, stored files do not."""
    storage = make_storage(get_settings())
    await _clear(storage)
    yield storage
    await _clear(storage)


async def _clear(storage: ObjectStorage) -> None:
    for prefix in ("portfolio/", "models/"):
        for key in await storage.list(prefix):
            await storage.delete(key)


@pytest.fixture
def min_designs(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    get_settings.cache_clear()


def design_body(palette: SyntheticPalette, index: int, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "image",
        "title": f"Poster {index}",
        "filename": f"poster-{index}.png",
        "content_base64": base64.b64encode(
            raster_design(palette, index=index, size=SIDE, align="left")
        ).decode(),
        "category": "graphic-design",
        "ownership_attested": True,
        "consent_to_train": True,
    }
    body.update(overrides)
    return body


async def add_designs(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    count: int,
    palette: SyntheticPalette = NAVY,
    start: int = 0,
    **overrides: object,
) -> list[dict[str, object]]:
    added = []
    for index in range(start, start + count):
        response = await client.post(
            "/api/v1/portfolio/samples",
            json=design_body(palette, index, **overrides),
            headers=headers,
        )
        assert response.status_code == 201, response.text
        added.append(response.json())
    return added


async def designer(client: httpx.AsyncClient) -> tuple[dict[str, object], dict[str, str]]:
    user, headers = await api_signup(client, roles=("freelancer",), display_name="Nova Layout")
    await join_program(client, headers)
    return user, headers


async def train(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    headers: dict[str, str],
    model_id: object,
) -> dict[str, object]:
    started = await client.post(f"/api/v1/models/{model_id}/training-runs", headers=headers)
    assert started.status_code == 202, started.text
    status = await execute_run(sessionmaker, row_id("run", started.json()["id"]), storage)
    run = (
        await client.get(f"/api/v1/training-runs/{started.json()['id']}", headers=headers)
    ).json()
    assert status == "succeeded", run["error"]
    return dict(run)


def rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def near(a: str, b: str, tolerance: int = 24) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(rgb(a), rgb(b), strict=True))


async def test_a_design_model_trains_on_its_owners_designs_and_shows_its_style(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    user, headers = await designer(client)
    designs = await add_designs(client, headers, DESIGNS)
    # Neither of these may be read: a design without consent, and text (not a design).
    await add_designs(client, headers, 1, MINT, start=50, consent_to_train=False)
    text = await client.post(
        "/api/v1/portfolio/samples",
        json={
            "title": "Tagline",
            "content": "Bright ideas, boldly set.",
            "category": "copywriting",
            "ownership_attested": True,
            "consent_to_train": True,
        },
        headers=headers,
    )
    assert text.status_code == 201

    model = await client.post(
        "/api/v1/models", json={"modality": "design", "name": "Nova's posters"}, headers=headers
    )
    assert model.status_code == 201, model.text
    assert model.json()["modality"] == "design"
    model_id = model.json()["id"]

    run = await train(client, sessionmaker, storage, headers, model_id)
    metrics = run["metrics"]
    assert isinstance(metrics, dict)
    for name in (
        "base_palette_distance",
        "personal_palette_distance",
        "layout_overlap",
        "min_contrast_ratio",
    ):
        assert isinstance(metrics[name], float), name
    assert metrics["personal_palette_distance"] < metrics["base_palette_distance"]
    assert metrics["closer_than_base"] == 1.0
    assert run["sample_count"] == DESIGNS

    # Every read is in the ledger: the consented designs and nothing else.
    ledger = (await client.get("/api/v1/portfolio/data-use", headers=headers)).json()
    read = sorted(e["sample_id"] for e in ledger["entries"] if e["run_id"] == run["id"])
    assert read == sorted(d["id"] for d in designs)
    assert ledger["chain_valid"]
    [version] = (await client.get(f"/api/v1/models/{model_id}/versions", headers=headers)).json()
    learned_from = {s["id"] for s in version["training_samples"] + version["heldout_samples"]}
    assert learned_from == {d["id"] for d in designs}

    style = await client.get(f"/api/v1/models/{model_id}/style", headers=headers)
    assert style.status_code == 200, style.text
    palette = {c["role"]: c for c in style.json()["palette"]}
    assert {"background", "primary", "accent", "text"} <= set(palette)
    assert near(palette["background"]["hex"], NAVY.background)
    assert all(0 <= c["weight"] <= 1 for c in palette.values())
    assert style.json()["fonts"] and style.json()["layout"]["alignment"] == "left"

    _, stranger = await api_signup(client, roles=("freelancer",))
    refused = await client.get(f"/api/v1/models/{model_id}/style", headers=stranger)
    assert refused.status_code == 404
    assert refused.json()["title"] == "Not found"

    approved = await client.post(
        f"/api/v1/models/{model_id}/versions/{version['id']}/approve", headers=headers
    )
    assert approved.status_code == 200, approved.text

    await sign_in(client, str(user["email"]))
    picture = await client.get(str(style.json()["picture_url"]))
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(picture.content)) as shown:
        assert shown.width > 600
    page = await client.get(f"/dashboard/models/{model_id}")
    assert page.status_code == 200
    assert "Design model" in page.text and "Learned style" in page.text
    assert "Palette distance from your held-out work" in page.text
    assert f"/dashboard/models/{model_id}/style.png" in page.text


async def test_corrections_are_stored_on_the_model_and_passed_into_the_next_plan(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    _, headers = await designer(client)
    designs = await add_designs(client, headers, 8)
    model_id = (
        await client.post(
            "/api/v1/models", json={"modality": "design", "name": "Corrected"}, headers=headers
        )
    ).json()["id"]
    left_out = str(designs[0]["content_hash"])
    corrected = await client.put(
        f"/api/v1/models/{model_id}/corrections",
        json={"locked_colors": {"primary": "#112233"}, "excluded_designs": [left_out]},
        headers=headers,
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["corrections"] == {
        "locked_colors": {"primary": "#112233"},
        "excluded_designs": [left_out],
    }

    await train(client, sessionmaker, storage, headers, model_id)
    [version] = (await client.get(f"/api/v1/models/{model_id}/versions", headers=headers)).json()
    assert version["hyperparameters"]["locked_colors"] == {"primary": "#112233"}
    assert version["hyperparameters"]["excluded_designs"] == [left_out]
    used = {s["content_hash"] for s in version["training_samples"] + version["heldout_samples"]}
    assert left_out not in used and len(used) == 7
    style = (await client.get(f"/api/v1/models/{model_id}/style", headers=headers)).json()
    primary = next(c for c in style["palette"] if c["role"] == "primary")
    assert (primary["hex"], primary["locked"]) == ("#112233", True)


async def test_a_stored_design_changed_since_it_was_added_is_never_trained_on(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    user, headers = await designer(client)
    await add_designs(client, headers, 8)
    model_id = (
        await client.post(
            "/api/v1/models", json={"modality": "design", "name": "Tampered"}, headers=headers
        )
    ).json()["id"]
    started = await client.post(f"/api/v1/models/{model_id}/training-runs", headers=headers)
    assert started.status_code == 202, started.text
    first = (await storage.list(f"portfolio/{row_id('user', user['id'])}/"))[0]
    await storage.put(first, raster_design(MINT, size=SIDE))
    with pytest.raises(ProvenanceViolation, match="does not match its recorded hash"):
        await execute_run(sessionmaker, row_id("run", started.json()["id"]), storage)
    run = (
        await client.get(f"/api/v1/training-runs/{started.json()['id']}", headers=headers)
    ).json()
    assert run["status"] == "failed" and run["error"].startswith("Refused to train")
    assert run["version_id"] is None


async def test_corrections_are_checked_when_they_are_made(client: httpx.AsyncClient) -> None:
    _, headers = await designer(client)
    design_id = (
        await client.post(
            "/api/v1/models", json={"modality": "design", "name": "Checked"}, headers=headers
        )
    ).json()["id"]
    role = await client.put(
        f"/api/v1/models/{design_id}/corrections",
        json={"locked_colors": {"glitter": "#112233"}},
        headers=headers,
    )
    assert role.status_code == 422 and "glitter" in role.json()["detail"]
    foreign = await client.put(
        f"/api/v1/models/{design_id}/corrections",
        json={"excluded_designs": ["a" * 64]},
        headers=headers,
    )
    assert foreign.status_code == 422 and "No sample of yours" in foreign.json()["detail"]
    text_id = (await client.post("/api/v1/models", json={"name": "Words"}, headers=headers)).json()[
        "id"
    ]
    text = await client.put(
        f"/api/v1/models/{text_id}/corrections",
        json={"locked_colors": {"primary": "#112233"}},
        headers=headers,
    )
    assert text.status_code == 422 and "takes no corrections" in text.json()["detail"]
    no_style = await client.get(f"/api/v1/models/{design_id}/style", headers=headers)
    assert no_style.status_code == 404 and "No trained version" in no_style.json()["detail"]


async def test_design_training_needs_the_configured_number_of_designs(
    client: httpx.AsyncClient, min_designs: pytest.MonkeyPatch
) -> None:
    _, headers = await designer(client)
    await add_designs(client, headers, 7)
    model_id = (
        await client.post(
            "/api/v1/models", json={"modality": "design", "name": "Too few"}, headers=headers
        )
    ).json()["id"]
    refused = await client.post(f"/api/v1/models/{model_id}/training-runs", headers=headers)
    assert refused.status_code == 422
    assert "at least 8 are needed" in refused.json()["detail"]

    min_designs.setenv("TWINWORK_DESIGN_MIN_SAMPLES", "6")
    get_settings.cache_clear()
    started = await client.post(f"/api/v1/models/{model_id}/training-runs", headers=headers)
    assert started.status_code == 202, started.text


async def test_a_version_no_closer_than_the_default_style_cannot_be_approved(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner_json, headers = await api_signup(client, roles=("freelancer",))
    owner = await session.get(User, row_id("user", owner_json["id"]))
    assert owner is not None
    stored = await stored_model(session, owner)
    stored.model.modality = "design"
    stored.version.metrics = {
        "base_palette_distance": 30.0,
        "personal_palette_distance": 29.5,
        "base_layout_similarity": 0.2,
        "personal_layout_similarity": 0.21,
        "closer_than_base": 0.0,
    }
    await session.commit()
    response = await client.post(
        f"/api/v1/models/{stored.model.public_id}/versions/{stored.version.public_id}/approve",
        headers=headers,
    )
    assert response.status_code == 409
    assert "not measurably closer" in response.json()["detail"]


def test_the_design_modality_checks_options_and_makes_watermarked_previews(
    tmp_path: object,
) -> None:
    design = get_modality("design")
    assert design.options_field == "design" and design.check_options is not None
    assert design.generate_files is not None and design.preview_files is not None
    options = design.check_options(
        {"headline": "  Autumn   menu ", "call_to_action": "Book", "sizes": ["300x250"]}
    )
    assert options == {
        "headline": "Autumn menu",
        "body": "",
        "call_to_action": "Book",
        "sizes": ["300x250"],
    }
    for bad, reason in (
        ({"body": "No headline"}, "needs a headline"),
        ({"headline": "Hi", "sizes": ["640x480"]}, "Unknown ad size"),
        ({"headline": "Hi", "colour": "red"}, "Unknown design option"),
        ({"headline": "x" * 200}, "characters"),
        ({"headline": "Supercalifragilistic" * 4, "sizes": ["300x250"]}, "does not fit"),
    ):
        with pytest.raises(ValueError, match=reason):
            design.check_options(bad)

    request = GenerateRequest(
        environment=ModelEnvironment(cache_dir=get_settings().resolved_model_cache_dir),
        brief="",
        adapter_dir=None,
        seed=1,
        options=options,
    )
    files = design.generate_files(request)
    assert sorted({f.media_type for f in files}) == ["image/png", "image/svg+xml"]
    assert len(files) == 6  # three variants of one size, each as PNG and SVG
    previews = design.preview_files(files)
    assert len(previews) == 3 and all(p.media_type == "image/png" for p in previews)
    with Image.open(io.BytesIO(previews[0].content)) as preview:
        assert preview.size[0] <= 540


async def test_pages_create_a_design_model_and_store_its_corrections(
    client: httpx.AsyncClient,
) -> None:
    user, headers = await designer(client)
    designs = await add_designs(client, headers, 2)
    await sign_in(client, str(user["email"]))
    created = await client.post(
        "/dashboard/models",
        data={"csrf_token": await csrf_token(client), "name": "Paged", "modality": "design"},
    )
    assert created.status_code == 303, created.text
    model_path = created.headers["location"]
    page = await client.get(model_path)
    assert "Design model" in page.text
    assert "At least 8 design samples with consent are needed; you have 2." in page.text
    corrected = await client.post(
        f"{model_path}/corrections",
        data={
            "csrf_token": await csrf_token(client),
            "lock_accent": "on",
            "color_accent": "#ffaa00",
            "color_primary": "#000000",  # not locked: ignored
            "exclude": str(designs[1]["content_hash"]),
        },
    )
    assert corrected.status_code == 303, corrected.text
    model_id = model_path.rsplit("/", 1)[1]
    model = (await client.get(f"/api/v1/models/{model_id}", headers=headers)).json()
    assert model["corrections"] == {
        "locked_colors": {"accent": "#FFAA00"},
        "excluded_designs": [designs[1]["content_hash"]],
    }
    refused = await client.post(
        f"{model_path}/corrections",
        data={"csrf_token": await csrf_token(client), "lock_text": "on", "color_text": "red"},
    )
    assert refused.status_code == 422
