"""Storage failing on write: no database row may point to a file that is not there.

Every write path that stores a file and records it in a row (portfolio designs and
recordings, delivery files, message attachments, generated files, gallery pictures and
avatars, a trained adapter) is run against a storage whose ``put`` fails, at once or after
the first file of several went in. The request fails (a 5xx problem, nothing half-done
shown as success), and afterwards every key a row names exists in storage.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.catalog.factories import create_gig
from tests.creation.conftest import join_program
from tests.generation import tiles as tiles_module
from tests.generation.test_file_outputs import BRIEF, OPTIONS, SAMPLES, tiles_model
from tests.generation.tiles import Tiles, registered
from tests.inbox.factories import gig_conversation
from tests.order.test_orders import funded_buyer, order, seller_with_gig
from tests.portfolio.factories import add_samples
from tests.portfolio.voice_factories import audio_body, encoded
from tests.web.test_authorisation import public, row
from tests.web.test_pages import csrf_token, signed_in_user
from twinwork.account.service import account_service
from twinwork.catalog.models import FreelancerProfile, GigImage
from twinwork.creation import artifacts
from twinwork.creation.models import ModelVersion, TrainingRun
from twinwork.creation.schemas import ModelIn
from twinwork.creation.service import creation_service
from twinwork.creation.training import execute_run
from twinwork.generation.models import Generation, GenerationFile
from twinwork.inbox.models import Attachment as MessageAttachment
from twinwork.kit.db import Base, unit_of_work
from twinwork.kit.storage import ObjectStorage
from twinwork.order.models import Delivery, DeliveryFile
from twinwork.portfolio.models import PortfolioSample

# Every column that names an object in storage, and whether it names a prefix (a folder).
STORED_KEYS: list[tuple[Any, str, bool]] = [
    (PortfolioSample, "storage_key", False),
    (DeliveryFile, "storage_key", False),
    (MessageAttachment, "storage_key", False),
    (GenerationFile, "storage_key", False),
    (GigImage, "large_key", False),
    (GigImage, "card_key", False),
    (FreelancerProfile, "avatar_key", False),
    (ModelVersion, "artifact_key", True),
]


class FailingStorage(ObjectStorage):
    """The real storage, except that ``put`` fails once ``allowed`` puts went through."""

    def __init__(self, real: ObjectStorage, allowed: int = 0) -> None:
        super().__init__(real.store, real.description)
        self.allowed = allowed
        self.failed: list[str] = []

    async def put(self, key: str, data: bytes) -> None:
        if self.allowed <= 0:
            self.failed.append(key)
            raise OSError(f"the object store refused {key!r} (injected fault)")
        self.allowed -= 1
        await super().put(key, data)


async def test_every_column_that_names_a_stored_object_is_checked() -> None:
    listed = {(model.__table__.name, column) for model, column, _ in STORED_KEYS}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if column.name == "storage_key" or column.name.endswith(("_storage_key", "_path")):
                assert (table.name, column.name) in listed, (table.name, column.name)


# The newest row of each table when the test started: rows other tests left in a shared
# database (an erased model's versions, whose files are gone on purpose) are not this test's.
_baseline: dict[Any, int] = {}


def _key_column(model: Any) -> Any:
    return sa_inspect(model).primary_key[0]


@pytest.fixture(autouse=True)
async def rows_before(session: AsyncSession) -> None:
    _baseline.clear()
    for model, _, _ in STORED_KEYS:
        newest = await session.scalar(select(func.max(_key_column(model))))
        _baseline[model] = int(newest or 0)


async def assert_no_dangling_rows(session: AsyncSession, storage: ObjectStorage) -> None:
    session.expire_all()
    keys = set(await storage.list())
    missing = []
    for model, column, is_prefix in STORED_KEYS:
        made_here = _key_column(model) > _baseline.get(model, 0)
        for key in await session.scalars(select(getattr(model, column)).where(made_here)):
            if key is None:
                continue
            present = any(k.startswith(key) for k in keys) if is_prefix else key in keys
            if not present:
                missing.append(f"{model.__tablename__}.{column} = {key!r}")
    assert not missing, f"rows point to files that are not stored: {missing}"


def assert_failed(response: httpx.Response) -> None:
    assert response.status_code >= 500, (response.status_code, response.text[:300])


@pytest.fixture
def real_storage(app: Any) -> ObjectStorage:
    return app.state.storage  # type: ignore[no-any-return]


@pytest.fixture
async def client(
    app: Any, sessionmaker: async_sessionmaker[AsyncSession], real_storage: ObjectStorage
) -> AsyncIterator[httpx.AsyncClient]:
    """A client that gets the 500 an injected fault makes, instead of the exception."""
    app.state.sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    app.state.storage = real_storage


def failing(app: Any, allowed: int = 0) -> FailingStorage:
    storage = FailingStorage(app.state.storage, allowed)
    app.state.storage = storage
    return storage


async def count(session: AsyncSession, model: Any) -> int:
    session.expire_all()
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_portfolio_design_and_recording(
    app: Any, client: httpx.AsyncClient, session: AsyncSession, real_storage: ObjectStorage
) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    before = await count(session, PortfolioSample)
    storage = failing(app)
    design = {
        "kind": "image",
        "title": "Harbour logo",
        "filename": "logo.png",
        "content_base64": b64(tiles_module.png(16, (200, 40, 40))),
        "category": "copywriting",
        "ownership_attested": True,
    }
    assert_failed(await client.post("/api/v1/portfolio/samples", json=design, headers=headers))
    recording = audio_body(encoded("wav"))
    assert_failed(await client.post("/api/v1/portfolio/samples", json=recording, headers=headers))
    assert len(storage.failed) == 2
    assert await count(session, PortfolioSample) == before
    await assert_no_dangling_rows(session, real_storage)


async def test_delivery_files_second_of_two_fails(
    app: Any, client: httpx.AsyncClient, session: AsyncSession, real_storage: ObjectStorage
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = await order(client, buyer, gig_id, brief="A logo for the bakery")
    url = f"/api/v1/orders/{placed.json()['id']}"
    before = await count(session, Delivery), await count(session, DeliveryFile)
    storage = failing(app, allowed=1)
    files = [
        {"name": "notes.txt", "content_base64": b64(b"Use Pantone 7621 C.\n")},
        {"name": "logo.png", "content_base64": b64(tiles_module.png(8, (1, 2, 3)))},
    ]
    body = {"text": "Two files.", "files": files}
    assert_failed(await client.post(f"{url}/deliveries", json=body, headers=seller))
    assert len(storage.failed) == 1
    assert (await count(session, Delivery), await count(session, DeliveryFile)) == before
    await assert_no_dangling_rows(session, real_storage)
    app.state.storage = real_storage
    assert (await client.get(url, headers=buyer)).json()["status"] == "in_progress"
    # Once storage is back, the same delivery goes through.
    again = await client.post(f"{url}/deliveries", json=body, headers=seller)
    assert again.status_code == 201, again.text
    await assert_no_dangling_rows(session, real_storage)


async def test_message_attachments_second_of_two_fails(
    app: Any, client: httpx.AsyncClient, session: AsyncSession, real_storage: ObjectStorage
) -> None:
    seller, _, _, conversation = await gig_conversation(client)
    before = await count(session, MessageAttachment)
    storage = failing(app, allowed=1)
    body = {
        "text": "Two files.",
        "files": [
            {"name": "notes.txt", "content_base64": b64(b"Opening hours: 7 to 3.\n")},
            {"name": "logo.png", "content_base64": b64(tiles_module.png(8, (1, 2, 3)))},
        ],
    }
    url = f"/api/v1/conversations/{conversation['id']}/messages"
    assert_failed(await client.post(url, json=body, headers=seller))
    assert len(storage.failed) == 1
    assert await count(session, MessageAttachment) == before
    await assert_no_dangling_rows(session, real_storage)


async def test_gallery_picture_and_avatar(
    app: Any, client: httpx.AsyncClient, session: AsyncSession, real_storage: ObjectStorage
) -> None:
    owner = await signed_in_user(client, session)
    gig = await create_gig(session, owner)
    await session.commit()
    gig_id, owner_id, gallery = gig.id, owner.id, f"/dashboard/gigs/{gig.public_id}/gallery"
    token = await csrf_token(client)
    picture = tiles_module.png(400, (30, 90, 160))
    storage = failing(app, allowed=1)  # the large copy goes in, the card copy fails
    response = await client.post(
        gallery,
        data={"csrf_token": token, "alt_text": "A picture"},
        files={"file": ("photo.png", picture, "image/png")},
    )
    assert_failed(response)
    failing(app)
    response = await client.post(
        "/dashboard/profile/avatar",
        data={"csrf_token": token},
        files={"file": ("me.png", picture, "image/png")},
    )
    assert_failed(response)
    assert storage.failed
    session.expire_all()
    assert await session.scalar(select(GigImage).where(GigImage.gig_id == gig_id)) is None
    avatar = select(FreelancerProfile.avatar_key).where(FreelancerProfile.user_id == owner_id)
    assert await session.scalar(avatar) is None
    await assert_no_dangling_rows(session, real_storage)


@pytest.fixture
def tiles() -> Iterator[Tiles]:
    with registered(tiles_module.OPTIONS_FIELD) as modality:
        yield modality


async def test_generated_files_and_a_trained_adapter(
    app: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    real_storage: ObjectStorage,
    tiles: Tiles,
) -> None:
    try:
        model = await tiles_model(client, sessionmaker, real_storage)
        _, buyer = await api_signup(client, display_name="Bea Buyer")
        assert (await top_up(client, buyer, 2000)).status_code == 201
        wallet = (await client.get("/api/v1/wallet", headers=buyer)).json()["balance_amount"]
        generations = await count(session, Generation)

        # A preview writes several files (previews, the signed files, their archive): the
        # third fails.
        storage = failing(app, allowed=2)
        body = {"brief": BRIEF, "tiles": OPTIONS}
        url = f"/api/v1/models/{public('model', model.model_id)}/generations"
        assert_failed(await client.post(url, json=body, headers=buyer))
        assert storage.failed
        await assert_no_dangling_rows(session, real_storage)
        assert await count(session, Generation) == generations
        app.state.storage = real_storage
        after = (await client.get("/api/v1/wallet", headers=buyer)).json()["balance_amount"]
        assert after == wallet  # nothing charged for what was not made

        # Training: the adapter's upload fails; the run fails with a reason and no version
        # points at a half-stored adapter.
        user, headers = await api_signup(client, roles=("freelancer",), display_name="Tom")
        await join_program(client, headers)
        for content in SAMPLES:
            await add_samples(client, headers, 1, content=content)
        async with unit_of_work(sessionmaker) as work:
            owner = await account_service.get(work, row("user", user["id"]))
            assert owner is not None
            made = await creation_service.create(
                work, owner, ModelIn(modality="tiles", name="Tom's tiles")
            )
            run = await creation_service.start_training(work, owner, made.id)
            run_id = run.id
        adapter_storage = FailingStorage(real_storage)
        assert await execute_run(sessionmaker, run_id, adapter_storage) == "failed"
        assert adapter_storage.failed
        session.expire_all()
        finished = await session.get(TrainingRun, run_id)
        assert finished is not None and finished.version_id is None and finished.error
        await assert_no_dangling_rows(session, real_storage)
    finally:
        app.state.storage = real_storage
        await artifacts.delete_stored(real_storage, "models/")
        await artifacts.delete_stored(real_storage, "generations/")
        await artifacts.delete_stored(real_storage, "portfolio/")
