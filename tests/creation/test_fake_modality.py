"""A modality registered from outside ``twinwork`` trains, sells and is erased through the real
training job and services: creation and generation know modalities only by the registry."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup, create_user
from tests.billing.factories import top_up_in_session
from tests.creation.conftest import join_program
from tests.creation.echo import BASE_MODEL_ID, Echo, EchoConfig
from tests.portfolio.factories import add_samples
from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.billing.schemas import TopUpIn
from twinwork.config import get_settings
from twinwork.creation import erasure_hooks
from twinwork.creation.schemas import LicenseIn, ModelIn, ModelPatch
from twinwork.creation.service import creation_service
from twinwork.creation.training import execute_run
from twinwork.generation.engine import generate_output
from twinwork.generation.service import generation_service
from twinwork.kit.db import unit_of_work
from twinwork.kit.public_ids import public_id, row_id
from twinwork.kit.storage import ObjectStorage
from twinwork.ledger.service import ledger_service

BRIEF = "Three cheerful lines for a lighthouse bakery opening on Saturday"
PRICE_AMOUNT = 300
SAMPLES = (
    "Salt on the window, bread in the oven, gulls on the roof.",
    "Come early for the rye; stay late for the harbour lights.",
    "Every loaf is shaped by hand before the first ferry leaves.",
)


@dataclass(frozen=True)
class EchoModel:
    owner: User
    model_id: int
    version_id: int
    artifact_hash: str

    @property
    def public_id(self) -> str:
        """The model's id as its URLs and answers write it."""
        return public_id("model", self.model_id)


async def train_echo_model(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> EchoModel:
    """A program member's echo model, trained by the real job, approved, priced and active."""
    user, headers = await api_signup(client, roles=("freelancer",), display_name="Eko Writer")
    await join_program(client, headers)
    for content in SAMPLES:
        await add_samples(client, headers, 1, content=content)
    async with unit_of_work(sessionmaker) as session:
        owner = await account_service.get(session, row_id("user", user["id"]))
        assert owner is not None
        model = await creation_service.create(
            session, owner, ModelIn(modality="echo", name="Eko's echo")
        )
        run = await creation_service.start_training(session, owner, model.id)
        model_id, run_id = model.id, run.id

    assert await execute_run(sessionmaker, run_id, storage) == "succeeded"

    async with unit_of_work(sessionmaker) as session:
        run = await creation_service.run(session, run_id)
        assert run is not None and run.version_id is not None
        version = await creation_service.version(session, run.version_id)
        assert version is not None
        await creation_service.approve(session, owner, model_id, version.id)
        await creation_service.update(
            session,
            owner,
            model_id,
            ModelPatch(
                price_amount=PRICE_AMOUNT, currency="USD", license=LicenseIn(scope="commercial")
            ),
        )
        model = await creation_service.activate(session, owner, model_id)
        assert model.status == "active"
        return EchoModel(owner, model_id, version.id, version.artifact_hash)


async def funded_buyer(sessionmaker: async_sessionmaker[AsyncSession], amount: int) -> User:
    async with unit_of_work(sessionmaker) as session:
        buyer = await create_user(session, display_name="Bea Buyer")
        await top_up_in_session(
            session, buyer, TopUpIn(amount=amount, card_number="4242 4242 4242 4242"), None
        )
        return buyer


async def test_a_registered_modality_trains_through_the_job_and_sells_through_generation(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    echo: Echo,
) -> None:
    trained = await train_echo_model(client, sessionmaker, storage)

    async with unit_of_work(sessionmaker) as session:
        model = await creation_service.model_by_id(session, trained.model_id)
        assert model is not None and model.modality == "echo"
        version = await creation_service.version(session, trained.version_id)
        assert version is not None
        # The plan, split, base and evaluation are the modality's, stored as it returned them.
        assert version.hyperparameters == asdict(EchoConfig(words=7, heldout=1))
        assert version.base_model_id == BASE_MODEL_ID
        assert len(version.training_samples) == 2 and len(version.heldout_samples) == 1
        words = float(sum(len(text.split()) for text in SAMPLES))
        assert version.metrics == {
            "base_coverage": 0.0,
            "personal_coverage": 2 / 3,
            "base_words": words,
            "personal_words": words,
        }
        assert version.evaluation_outputs[0]["personal"].endswith(
            "says: A poster for the harbour festival"
        )

    buyer = await funded_buyer(sessionmaker, 1000)
    async with unit_of_work(sessionmaker) as session:
        ticket = await generation_service.ticket(session, buyer, trained.model_id)
    assert ticket.modality == "echo"
    text = await generate_output(get_settings(), storage, ticket, BRIEF)
    assert text.endswith("says: Three cheerful lines for a lighthouse bakery")
    async with unit_of_work(sessionmaker) as session:
        generation = await generation_service.record(session, buyer, ticket, BRIEF, text)
    assert generation.preview.endswith("…") and generation.price_amount == PRICE_AMOUNT

    async with unit_of_work(sessionmaker) as session:
        purchase = await generation_service.purchase(session, buyer, generation.id, "echo-buy")
    licence = purchase.licence
    assert purchase.generation.purchased and purchase.generation.text == text
    assert (licence.buyer_user_id, licence.owner_user_id) == (buyer.id, trained.owner.id)
    assert (licence.model_id, licence.version_id) == (trained.model_id, trained.version_id)
    assert licence.scope == "commercial" and licence.price_amount == PRICE_AMOUNT
    assert 0 < licence.fee_amount < PRICE_AMOUNT
    assert purchase.certificate.payload["model"]["base_model_id"] == BASE_MODEL_ID

    async with unit_of_work(sessionmaker) as session:
        wallet = await ledger_service.account(session, "buyer_wallet", "USD", buyer)
        pending = await ledger_service.account(session, "freelancer_pending", "USD", trained.owner)
        assert await ledger_service.balance(session, wallet) == 1000 - PRICE_AMOUNT
        assert await ledger_service.balance(session, pending) == (PRICE_AMOUNT - licence.fee_amount)
        check = await ledger_service.check(session)
        assert check.balanced and check.total == 0


async def test_erasing_a_model_evicts_its_adapter_from_its_modality_and_counts_dependents(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    echo: Echo,
) -> None:
    trained = await train_echo_model(client, sessionmaker, storage)
    buyer = await funded_buyer(sessionmaker, 1000)
    for key in ("bought", None):
        async with unit_of_work(sessionmaker) as session:
            ticket = await generation_service.ticket(session, buyer, trained.model_id)
            text = await generate_output(get_settings(), storage, ticket, BRIEF)
            generation = await generation_service.record(session, buyer, ticket, BRIEF, text)
            if key is not None:
                await generation_service.purchase(session, buyer, generation.id, key)

    async with unit_of_work(sessionmaker) as session:
        erasure = await creation_service.erase(session, trained.owner, trained.model_id, storage)
    payload = erasure.receipt.payload
    assert payload["deleted"]["unpurchased_previews"] == 1
    assert payload["kept"] == {"licences": 1, "certificates": 1}
    assert list(payload["deleted"]) == [
        "adapters",
        "adapter_files",
        "versions",
        "checkpoints",
        "cached_copies",
        "unpurchased_previews",
    ]
    async with unit_of_work(sessionmaker) as session:
        assert await creation_service.delete_erased_files(session, storage, erasure.files)
    assert echo.evicted == [trained.artifact_hash]


async def test_erasure_is_refused_when_no_domain_erases_what_was_generated(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    echo: Echo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trained = await train_echo_model(client, sessionmaker, storage)
    # A process that never loaded the generation domain: its participant is not registered.
    monkeypatch.setattr(erasure_hooks, "_participants", {})
    with pytest.raises(erasure_hooks.ErasureNotWired, match="load_domains"):
        async with unit_of_work(sessionmaker) as session:
            await creation_service.erase(session, trained.owner, trained.model_id, storage)
    async with unit_of_work(sessionmaker) as session:
        model = await creation_service.model_by_id(session, trained.model_id)
        assert model is not None and model.erased_at is None and model.is_active
