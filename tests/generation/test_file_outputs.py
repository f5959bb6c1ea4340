"""Files through the whole buy path, whatever the modality: a fake "tiles" modality (PNG tiles
and an SVG strip, watermarked preview copies, options under "tiles") is previewed, bought and
erased through the real API, pages, storage and ledger."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.creation.conftest import join_program
from tests.creation.echo import registered as echo_registered
from tests.creation.test_fake_modality import train_echo_model
from tests.generation import tiles as tiles_module
from tests.generation.tiles import PREVIEW_SIDE, Tiles, registered
from tests.portfolio.factories import add_samples
from tests.web.test_pages import csrf_token, sign_in
from twinwork.account.service import account_service
from twinwork.creation.schemas import LicenseIn, ModelIn, ModelPatch
from twinwork.creation.service import creation_service
from twinwork.creation.training import execute_run
from twinwork.generation.models import Generation, GenerationFile
from twinwork.generation.service import generation_service
from twinwork.kit import content_credentials
from twinwork.kit.db import unit_of_work
from twinwork.kit.public_ids import public_id, row_id
from twinwork.kit.signing import sha256_hex
from twinwork.kit.storage import ObjectStorage

PRICE_AMOUNT = 300
BRIEF = "Tiles for the harbour cafe's new menu board"
OPTIONS = {"label": "Cafe", "colours": ["red", "blue"]}
FULL_NAMES = ["tile-red.png", "tile-blue.png", "strip.svg"]
PREVIEW_NAMES = ["preview-tile-red.png", "preview-tile-blue.png"]
SAMPLES = (
    "Salt on the window, bread in the oven, gulls on the roof.",
    "Come early for the rye; stay late for the harbour lights.",
    "Every loaf is shaped by hand before the first ferry leaves.",
)


@dataclass(frozen=True)
class TilesModel:
    owner_name: str
    owner: dict[str, str]
    model_id: int

    @property
    def public_id(self) -> str:
        """The model's id as its URLs and answers write it."""
        return public_id("model", self.model_id)


@pytest.fixture
def options_field() -> str:
    return tiles_module.OPTIONS_FIELD


@pytest.fixture
def tiles(options_field: str) -> Iterator[Tiles]:
    with registered(options_field) as modality:
        yield modality


async def tiles_model(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> TilesModel:
    """A program member's tiles model, trained by the real job, approved, priced, active."""
    user, headers = await api_signup(client, roles=("freelancer",), display_name="Tia Tiler")
    await join_program(client, headers)
    for content in SAMPLES:
        await add_samples(client, headers, 1, content=content)
    async with unit_of_work(sessionmaker) as session:
        owner = await account_service.get(session, row_id("user", user["id"]))
        assert owner is not None
        model = await creation_service.create(
            session, owner, ModelIn(modality="tiles", name="Tia's tiles")
        )
        run = await creation_service.start_training(session, owner, model.id)
        model_id, run_id = model.id, run.id
    assert await execute_run(sessionmaker, run_id, storage) == "succeeded"
    async with unit_of_work(sessionmaker) as session:
        run = await creation_service.run(session, run_id)
        assert run is not None and run.version_id is not None
        await creation_service.approve(session, owner, model_id, run.version_id)
        await creation_service.update(
            session,
            owner,
            model_id,
            ModelPatch(
                price_amount=PRICE_AMOUNT, currency="USD", license=LicenseIn(scope="commercial")
            ),
        )
        await creation_service.activate(session, owner, model_id)
    return TilesModel("Tia Tiler", headers, model_id)


async def buyer(client: httpx.AsyncClient, amount: int = 2000) -> dict[str, str]:
    _, headers = await api_signup(client, display_name="Bea Buyer")
    assert (await top_up(client, headers, amount)).status_code == 201
    return headers


async def wallet(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/api/v1/wallet", headers=headers)).json()["balance_amount"])


async def preview(
    client: httpx.AsyncClient, model_id: str, headers: dict[str, str], **body: object
) -> httpx.Response:
    payload: dict[str, object] = {"brief": BRIEF, "tiles": OPTIONS, **body}
    return await client.post(
        f"/api/v1/models/{model_id}/generations", json=payload, headers=headers
    )


async def buy(
    client: httpx.AsyncClient, generation_id: str, headers: dict[str, str], key: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/generations/{generation_id}/purchase",
        headers={**headers, "Idempotency-Key": key},
    )


async def stored_keys(storage: ObjectStorage, generation_id: str) -> list[str]:
    # Storage keys keep the row id.
    return await storage.list(f"generations/{row_id('generation', generation_id)}/")


@pytest.fixture
async def setup(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    tiles: Tiles,
) -> tuple[TilesModel, dict[str, str]]:
    return await tiles_model(client, sessionmaker, storage), await buyer(client)


async def test_preview_shows_only_watermarked_copies_and_full_files_stay_private(
    client: httpx.AsyncClient,
    storage: ObjectStorage,
    setup: tuple[TilesModel, dict[str, str]],
    tiles: Tiles,
) -> None:
    model, headers = setup
    made = await preview(client, model.public_id, headers)
    assert made.status_code == 201, made.text
    body = made.json()
    assert [f["name"] for f in body["preview_files"]] == PREVIEW_NAMES
    assert body["files"] is None and body["archive"] is None and body["text"] is None
    # The modality got the options as its check normalised them.
    assert dict(tiles.requests[-1].options) == OPTIONS

    for item in body["preview_files"]:
        shown = await client.get(item["url"], headers=headers)
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
        assert sha256_hex(shown.content) == item["sha256"]
        with Image.open(io.BytesIO(shown.content)) as image:
            assert image.size == (PREVIEW_SIDE, PREVIEW_SIDE)
            assert image.convert("RGB").getpixel((3, 3)) == tiles_module.WATERMARK

    generation_id = body["id"]
    for name in [*FULL_NAMES, f"generation-{generation_id}.zip"]:
        refused = await client.get(
            f"/api/v1/generations/{generation_id}/files/{name}", headers=headers
        )
        assert refused.status_code == 403, refused.text
        assert "Buy this generation" in refused.json()["detail"]
    # The full files exist, privately: previews, full files and the zip.
    assert len(await stored_keys(storage, generation_id)) == len(PREVIEW_NAMES) + 4
    again = (await client.get(f"/api/v1/generations/{generation_id}", headers=headers)).json()
    assert again["files"] is None and len(again["preview_files"]) == 2


async def test_purchase_under_retries_charges_once_and_returns_the_same_signed_files(
    client: httpx.AsyncClient,
    session: AsyncSession,
    setup: tuple[TilesModel, dict[str, str]],
) -> None:
    model, headers = setup
    generation_id = (await preview(client, model.public_id, headers)).json()["id"]
    before = await wallet(client, headers)

    first = await buy(client, generation_id, headers, "tiles-buy-1")
    assert first.status_code == 200, first.text
    retried = await buy(client, generation_id, headers, "tiles-buy-1")
    assert retried.status_code == 200, retried.text
    other_key = await buy(client, generation_id, headers, "tiles-buy-2")
    assert other_key.status_code == 409
    assert await wallet(client, headers) == before - PRICE_AMOUNT

    bought = first.json()
    assert retried.json() == bought
    assert [f["name"] for f in bought["files"]] == FULL_NAMES
    assert bought["archive"]["name"] == f"generation-{generation_id}.zip"
    assert bought["archive"]["content_type"] == "application/zip"
    # Signed once, when stored: the rows are the ones the preview recorded.
    rows = (
        await session.scalars(
            select(GenerationFile).where(
                GenerationFile.generation_id == row_id("generation", generation_id)
            )
        )
    ).all()
    assert len(rows) == len(PREVIEW_NAMES) + len(FULL_NAMES) + 1

    certificate = bought["certificate"]
    listed = certificate["payload"]["files"]
    assert [f["name"] for f in listed] == FULL_NAMES
    assert [f["sha256"] for f in listed] == [f["sha256"] for f in bought["files"]]
    assert listed[2]["manifest_hash"] is None  # the SVG ships unsigned
    verified = await client.post("/api/v1/certificates/verify", json=certificate)
    assert verified.json()["valid"] is True
    page = await client.get(f"/certificates/{certificate['id']}")
    assert page.status_code == 200 and listed[0]["manifest_hash"] in page.text
    got = await client.get(f"/api/v1/generations/{generation_id}", headers=headers)
    assert [f["url"] for f in got.json()["files"]] == [f["url"] for f in bought["files"]]


async def test_bought_png_carries_trusted_credentials_naming_the_freelancer_and_the_zip_holds_all(
    client: httpx.AsyncClient,
    setup: tuple[TilesModel, dict[str, str]],
) -> None:
    model, headers = setup
    generation_id = (await preview(client, model.public_id, headers)).json()["id"]
    bought = (await buy(client, generation_id, headers, "tiles-cc")).json()
    certificate = bought["certificate"]
    by_name = {f["name"]: f for f in certificate["payload"]["files"]}

    downloaded: dict[str, bytes] = {}
    for item in bought["files"]:
        response = await client.get(item["url"], headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(item["content_type"])
        assert "attachment" in response.headers["content-disposition"]
        assert sha256_hex(response.content) == item["sha256"] == by_name[item["name"]]["sha256"]
        downloaded[item["name"]] = response.content

    report = content_credentials.read(downloaded["tile-red.png"], "image/png")
    assert report.state is content_credentials.ValidationState.TRUSTED
    assert report.creator_name == model.owner_name
    assert report.digital_source_type == "trainedAlgorithmicMedia"
    for label in content_credentials.TRAINING_MINING_LABELS:
        uses = report.training_mining(label)
        assert uses and set(uses.values()) == {"notAllowed"}
    work = report.assertion(content_credentials.CREATIVE_WORK_LABEL) or {}
    assert work["identifier"] == str(generation_id)
    assert work["url"].endswith(f"/certificates/{certificate['id']}")
    assert report.manifest_hash == by_name["tile-red.png"]["manifest_hash"]
    assert downloaded["strip.svg"] == tiles_module.svg(["red", "blue"])

    archive = await client.get(bought["archive"]["url"], headers=headers)
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        assert opened.namelist() == FULL_NAMES
        for name in FULL_NAMES:
            assert opened.read(name) == downloaded[name]


async def test_strangers_get_404_for_every_file_of_someone_elses_generation(
    client: httpx.AsyncClient,
    setup: tuple[TilesModel, dict[str, str]],
) -> None:
    model, headers = setup
    made = (await preview(client, model.public_id, headers)).json()
    bought = (await buy(client, made["id"], headers, "tiles-stranger")).json()
    stranger_json, stranger = await api_signup(client, display_name="Sam Stranger")
    for url in [*(f["url"] for f in made["preview_files"]), *(f["url"] for f in bought["files"])]:
        response = await client.get(url, headers=stranger)
        assert response.status_code == 404, (url, response.text)
        # The freelancer is no party to a preview either.
        assert (await client.get(url, headers=model.owner)).status_code == 404
    await sign_in(client, str(stranger_json["email"]))
    page_url = bought["archive"]["url"].removeprefix("/api/v1")
    assert (await client.get(page_url)).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"tiles": {"label": "Cafe", "shape": "round"}}, "Unknown tiles option"),
        ({"tiles": {"colours": ["red"]}}, "Tiles need a label"),
        ({"tiles": {"label": "Cafe", "colours": ["mauve"]}}, "Colours must be a list"),
        ({"tiles": "Cafe"}, "must be an object"),
        ({"tiles": {"label": "Cafe"}, "colour": "red"}, "Unknown field"),
    ],
)
async def test_options_the_modality_refuses_answer_422_with_its_message(
    client: httpx.AsyncClient,
    setup: tuple[TilesModel, dict[str, str]],
    body: dict[str, object],
    message: str,
) -> None:
    model, headers = setup
    response = await client.post(
        f"/api/v1/models/{model.public_id}/generations",
        json={"brief": BRIEF, **body},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert message in response.text


async def test_options_for_a_text_model_are_refused(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    tiles: Tiles,
) -> None:
    with echo_registered():
        echo_model = await train_echo_model(client, sessionmaker, storage)
        headers = await buyer(client)
        response = await preview(client, echo_model.public_id, headers)
        assert response.status_code == 422, response.text
        assert "takes no 'tiles' options" in response.json()["detail"]
        # Text keeps answering as before: no files, a text preview.
        text = await client.post(
            f"/api/v1/models/{echo_model.public_id}/generations",
            json={"brief": BRIEF},
            headers=headers,
        )
        assert text.status_code == 201, text.text
        assert text.json()["preview_files"] == [] and text.json()["preview"].endswith("…")


async def test_an_attachment_that_is_not_an_image_is_refused_with_nothing_stored_or_charged(
    client: httpx.AsyncClient,
    session: AsyncSession,
    storage: ObjectStorage,
    setup: tuple[TilesModel, dict[str, str]],
    tiles: Tiles,
) -> None:
    model, headers = setup
    before = await wallet(client, headers)
    generations = await session.scalar(select(func.count(Generation.id)))
    not_an_image = base64.b64encode(b"%PDF-1.7 not a logo at all").decode()
    refused = await preview(client, model.public_id, headers, attachments={"logo": not_an_image})
    assert refused.status_code == 422, refused.text
    assert "not an image" in refused.json()["detail"]
    bad_base64 = await preview(client, model.public_id, headers, attachments={"logo": "*not*"})
    assert bad_base64.status_code == 422 and "base64" in bad_base64.json()["detail"]
    assert tiles.requests == []
    assert await session.scalar(select(func.count(Generation.id))) == generations
    assert await storage.list("generations/") == []
    assert await wallet(client, headers) == before

    logo = base64.b64encode(tiles_module.png(8, (1, 2, 3))).decode()
    accepted = await preview(client, model.public_id, headers, attachments={"logo": logo})
    assert accepted.status_code == 201, accepted.text
    received = tiles.requests[-1].attachments["logo"]
    with Image.open(io.BytesIO(received)) as image:  # cleaned, re-encoded, still the picture
        assert image.size == (8, 8)


async def test_erasing_the_model_deletes_unpurchased_files_and_keeps_bought_ones(
    client: httpx.AsyncClient,
    storage: ObjectStorage,
    setup: tuple[TilesModel, dict[str, str]],
) -> None:
    model, headers = setup
    kept_id = (await preview(client, model.public_id, headers)).json()["id"]
    bought = (await buy(client, kept_id, headers, "tiles-erase")).json()
    gone_id = (await preview(client, model.public_id, headers)).json()["id"]
    kept_keys = await stored_keys(storage, kept_id)
    assert kept_keys and await stored_keys(storage, gone_id)

    erased = await client.delete(f"/api/v1/models/{model.public_id}", headers=model.owner)
    assert erased.status_code == 200, erased.text
    deleted = erased.json()["payload"]["deleted"]
    assert deleted["unpurchased_previews"] == 1
    assert deleted["unpurchased_files"] == len(PREVIEW_NAMES) + len(FULL_NAMES) + 1
    assert await stored_keys(storage, gone_id) == []
    assert await stored_keys(storage, kept_id) == kept_keys
    still = await client.get(bought["files"][0]["url"], headers=headers)
    assert still.status_code == 200


async def test_pages_show_the_options_form_previews_and_after_purchase_the_downloads(
    client: httpx.AsyncClient,
    setup: tuple[TilesModel, dict[str, str]],
    tiles: Tiles,
) -> None:
    model, _ = setup
    user_json, headers = await api_signup(client, display_name="Pia Pages")
    assert (await top_up(client, headers, 2000)).status_code == 201
    await sign_in(client, str(user_json["email"]))

    page = await client.get(f"/models/{model.public_id}")
    assert page.status_code == 200
    assert 'name="options_field" value="tiles"' in page.text
    assert 'name="options_json"' in page.text  # tiles has no form of its own: the generic one

    refused = await client.post(
        f"/models/{model.public_id}/generate",
        data={
            "csrf_token": await csrf_token(client),
            "brief": BRIEF,
            "options_field": "tiles",
            "options_json": '{"colours": ["red"]}',
        },
    )
    assert refused.status_code == 422 and "Tiles need a label" in refused.text

    made = await client.post(
        f"/models/{model.public_id}/generate",
        data={
            "csrf_token": await csrf_token(client),
            "brief": BRIEF,
            "options_field": "tiles",
            "options_json": '{"colours": ["green"]}',
            "opt.label": "Cafe",
        },
        # The form is multipart when the options take images.
        files={"attach.logo": ("logo.png", tiles_module.png(8, (1, 2, 3)), "image/png")},
    )
    assert made.status_code == 303, made.text
    assert set(tiles.requests[-1].attachments) == {"logo"}
    location = made.headers["location"]
    generation_id = location.rsplit("/", 1)[1]
    assert row_id("generation", generation_id), location  # a public id
    shown = await client.get(location)
    assert f'src="/generations/{generation_id}/preview-files/preview-tile-green.png"' in shown.text
    assert "/files/tile-green.png" not in shown.text
    image = await client.get(f"/generations/{generation_id}/preview-files/preview-tile-green.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    early = await client.get(f"/generations/{generation_id}/files/tile-green.png")
    assert early.status_code == 403

    await client.post(
        f"/generations/{generation_id}/purchase",
        data={"csrf_token": await csrf_token(client), "idempotency_key": "page-tiles"},
    )
    after = await client.get(location)
    assert f'href="/generations/{generation_id}/files/tile-green.png"' in after.text
    assert f'href="/generations/{generation_id}/files/generation-{generation_id}.zip"' in after.text
    assert "Download all (zip)" in after.text
    download = await client.get(f"/generations/{generation_id}/files/tile-green.png")
    assert download.status_code == 200
    report = content_credentials.read(download.content, "image/png")
    assert report.state is content_credentials.ValidationState.TRUSTED


@pytest.mark.parametrize("options_field", ["design"])
async def test_a_modality_with_a_form_of_its_own_gets_it_on_the_model_page(
    client: httpx.AsyncClient,
    setup: tuple[TilesModel, dict[str, str]],
    options_field: str,
) -> None:
    """The form is chosen by the options field (options/design.html), not by the modality."""
    model, _ = setup
    user_json, _ = await api_signup(client, display_name="Fay Former")
    await sign_in(client, str(user_json["email"]))
    page = await client.get(f"/models/{model.public_id}")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert f'name="options_field" value="{options_field}"' in page.text
    for name in ("opt.headline", "opt.body", "opt.call_to_action", "opt.sizes[]", "attach.logo"):
        assert f'name="{name}"' in page.text
    assert 'name="options_json"' not in page.text


async def test_ai_and_hybrid_orders_of_a_file_model_carry_its_files(
    client: httpx.AsyncClient,
    session: AsyncSession,
    setup: tuple[TilesModel, dict[str, str]],
    tiles: Tiles,
) -> None:
    """An AI order from a gig gives the buyer the model's files, signed; a hybrid order's
    draft files go to the freelancer to refine, not to the buyer before delivery."""
    from tests.catalog.factories import gig_payload
    from twinwork.order.models import Order

    model, customer = setup
    patched = await client.patch(
        f"/api/v1/models/{model.public_id}",
        json={"refinement_price_amount": 1000},
        headers=model.owner,
    )
    assert patched.status_code == 200, patched.text
    gig = await client.post("/api/v1/gigs", json=gig_payload(), headers=model.owner)
    assert gig.status_code == 201, gig.text

    async def place(kind: str) -> tuple[int, list[GenerationFile]]:
        placed = await client.post(
            "/api/v1/orders",
            json={"gig_id": gig.json()["id"], "package": "basic", "kind": kind, "brief": BRIEF},
            headers=customer,
        )
        assert placed.status_code == 201, placed.text
        order = await session.get(Order, row_id("order", placed.json()["id"]))
        assert order is not None and order.generation_id is not None
        return order.generation_id, await generation_service.files_of(session, order.generation_id)

    ai_generation, ai_files = await place("ai")
    png = next(f for f in ai_files if f.media_type == "image/png")
    url = f"/api/v1/generations/{public_id('generation', ai_generation)}/files/{png.name}"
    bought = await client.get(url, headers=customer)
    assert bought.status_code == 200
    report = content_credentials.read(bought.content, "image/png")
    assert report.creator_name == model.owner_name

    hybrid_generation, hybrid_files = await place("hybrid")
    assert hybrid_files, "the draft's files are stored for the freelancer"
    where = public_id("generation", hybrid_generation)
    url = f"/api/v1/generations/{where}/files/{hybrid_files[0].name}"
    assert (await client.get(url, headers=model.owner)).status_code == 200
    assert (await client.get(url, headers=customer)).status_code == 403
