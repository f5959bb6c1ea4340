"""A trained, approved, priced and active model, made once per test through the API.

Training is real (the packaged base model, a LoRA adapter, a few steps); tests share the
converted base model under var/test-models, so only the first run pays for the conversion."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.creation.echo import Echo, registered
from tests.portfolio.factories import add_samples
from tests.program.factories import admit_api_user
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.creation.training import execute_run
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage, make_storage


@dataclass
class TrainedModel:
    model: dict[str, object]
    run: dict[str, object]
    owner: dict[str, str]
    owner_user: dict[str, object]

    @property
    def id(self) -> object:
        return self.model["id"]


@pytest.fixture
def storage() -> ObjectStorage:
    return make_storage(get_settings())


@pytest.fixture(autouse=True)
def _no_checkpoints_left_behind() -> Iterator[None]:
    """Run ids come back once a test's transaction is rolled back: a checkpoint one test
    leaves must not be resumed by the next test's run of the same id."""
    yield
    shutil.rmtree(get_settings().resolved_data_dir / "training", ignore_errors=True)


async def join_program(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """Admitted by an operator's invitation, then subscribed by card."""
    await admit_api_user(client, (await client.get("/api/v1/me", headers=headers)).json())
    joined = await client.post(
        "/api/v1/subscriptions", json={"card_number": "4242 4242 4242 4242"}, headers=headers
    )
    assert joined.status_code == 201, joined.text


async def create_and_train(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    samples: int = 4,
) -> TrainedModel:
    user, owner = await api_signup(client, roles=("freelancer",), display_name="Rae Lyric")
    await join_program(client, owner)
    await add_samples(client, owner, samples)
    model = (
        await client.post("/api/v1/models", json={"name": "Rae's lyrics"}, headers=owner)
    ).json()
    started = await client.post(f"/api/v1/models/{model['id']}/training-runs", headers=owner)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    status = await execute_run(sessionmaker, row_id("run", started.json()["id"]), storage)
    assert status == "succeeded"
    run = (await client.get(f"/api/v1/training-runs/{started.json()['id']}", headers=owner)).json()
    return TrainedModel(model=model, run=run, owner=owner, owner_user=user)


async def publish(client: httpx.AsyncClient, trained: TrainedModel, price: int = 400) -> None:
    model_id, version_id = trained.id, trained.run["version_id"]
    owner = trained.owner
    approve = await client.post(
        f"/api/v1/models/{model_id}/versions/{version_id}/approve", headers=owner
    )
    assert approve.status_code == 200, approve.text
    patch = await client.patch(
        f"/api/v1/models/{model_id}",
        json={"price_amount": price, "currency": "USD", "license": {"scope": "commercial"}},
        headers=owner,
    )
    assert patch.status_code == 200, patch.text
    activate = await client.post(f"/api/v1/models/{model_id}/activate", headers=owner)
    assert activate.json()["status"] == "active"


@pytest.fixture
async def trained(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> TrainedModel:
    return await create_and_train(client, sessionmaker, storage)


@pytest.fixture
async def active(client: httpx.AsyncClient, trained: TrainedModel) -> TrainedModel:
    await publish(client, trained)
    return trained


@pytest.fixture
async def echo(storage: ObjectStorage) -> AsyncIterator[Echo]:
    """The fake "echo" modality, registered for one test."""
    with registered() as modality:
        yield modality
    # Ids come back once the test's transaction is rolled back, but storage keeps its files:
    # the next test's adapter must not land beside an echo adapter under the same prefix.
    await artifacts.delete_stored(storage, "models/")
