"""A voice model's price is per started 100 words of script, through the modality table's
price rule: the preview quotes it ("3 × $2.50 = $7.50"), the purchase charges it once into the
ledger, and a text model's price stays one per use whatever the brief's length."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.creation.echo import registered as echo_registered
from tests.voice.factories import (
    active_voice_model,
    funded_buyer,
    script_of,
    use_quick_narration,
    wallet_balance,
)
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.generation.models import Generation
from twinwork.generation.service import price_for, price_of
from twinwork.kit.db import unit_of_work
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.ledger.models import LedgerTransaction
from twinwork.ml import get_modality

UNIT_PRICE = 250
ECHO = {"echo.json": json.dumps({"config": {"words": 5, "heldout": 1}, "signature": "e"})}


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    store = make_storage(get_settings())
    yield store
    for prefix in ("models/", "generations/"):
        await artifacts.delete_stored(store, prefix)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    use_quick_narration(monkeypatch)


@pytest.mark.parametrize(
    ("words", "units"), [(1, 1), (99, 1), (100, 1), (101, 2), (200, 2), (250, 3), (301, 4)]
)
def test_a_voice_model_counts_one_unit_per_started_100_words(words: int, units: int) -> None:
    voice = get_modality("voice")
    assert voice.units(script_of(words)) == units
    assert voice.price_unit_label == "per started 100 words"


def test_text_and_design_models_cost_one_use_whatever_the_brief() -> None:
    for name in ("text", "design"):
        spec = get_modality(name)
        assert spec.units(script_of(300)) == 1
        assert spec.price_unit_label == "per use"
        price = price_for(name, script_of(300), None, 400, "USD")
        assert (price.units, price.amount, price.summary) == (1, 400, "$4")


def test_the_price_reads_units_times_the_unit_price() -> None:
    price = price_for("voice", script_of(250), None, UNIT_PRICE, "USD")
    assert (price.units, price.unit_amount, price.amount) == (3, 250, 750)
    assert price.summary == "3 × $2.50 = $7.50"


def test_work_made_for_an_order_shows_the_orders_price_as_one_sum() -> None:
    """An AI order may be bought at a package's own price: never split into units."""
    ordered = Generation(brief=script_of(250), price_amount=900, currency="USD", for_order=True)
    assert price_of(ordered, "voice").summary == "$9"
    previewed = Generation(brief=script_of(250), price_amount=900, currency="USD", for_order=False)
    assert price_of(previewed, "voice").summary == "3 × $3 = $9"
    odd = Generation(brief=script_of(250), price_amount=1000, currency="USD", for_order=False)
    assert (price_of(odd, "voice").units, price_of(odd, "voice").summary) == (1, "$10")


async def purchases_of(
    sessionmaker: async_sessionmaker[AsyncSession], generation_id: int
) -> list[LedgerTransaction]:
    async with unit_of_work(sessionmaker) as session:
        found = await session.scalars(
            select(LedgerTransaction).where(
                LedgerTransaction.reference_type == "generation",
                LedgerTransaction.reference_id == str(generation_id),
            )
        )
        return list(found)


async def test_a_250_word_script_is_charged_three_units_exactly_once(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    voice = await active_voice_model(client, sessionmaker, storage, price_amount=UNIT_PRICE)
    buyer = await funded_buyer(client)
    before = await wallet_balance(client, buyer)

    made = await client.post(
        f"/api/v1/models/{voice.public_id}/generations",
        json={"brief": script_of(250)},
        headers=buyer,
    )
    assert made.status_code == 201, made.text
    generation = made.json()
    assert generation["price_amount"] == 750
    assert generation["price"] == {
        "units": 3,
        "unit_price_amount": 250,
        "amount": 750,
        "currency": "USD",
        "unit_label": "per started 100 words",
        "summary": "3 × $2.50 = $7.50",
    }
    assert await wallet_balance(client, buyer) == before  # a preview is free
    assert generation["preview_notice"].startswith("Preview: watermarked, reduced copies")

    key = str(uuid.uuid4())
    bought = await client.post(
        f"/api/v1/generations/{generation['id']}/purchase",
        headers={**buyer, "Idempotency-Key": key},
    )
    assert bought.status_code == 200, bought.text
    assert bought.json()["license"]["price_amount"] == 750
    assert bought.json()["price"]["summary"] == "3 × $2.50 = $7.50"
    retried = await client.post(
        f"/api/v1/generations/{generation['id']}/purchase",
        headers={**buyer, "Idempotency-Key": key},
    )
    assert retried.status_code == 200 and retried.json()["license"] == bought.json()["license"]
    again = await client.post(
        f"/api/v1/generations/{generation['id']}/purchase",
        headers={**buyer, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert again.status_code == 409

    assert await wallet_balance(client, buyer) == before - 750
    [sale] = await purchases_of(sessionmaker, row_id("generation", generation["id"]))
    assert sale.reason == "generation_purchase"
    assert sum(entry.amount for entry in sale.entries) == 0
    assert max(entry.amount for entry in sale.entries) < 750  # the fee and the freelancer's
    assert sorted(entry.amount for entry in sale.entries)[0] == -750


@pytest.mark.parametrize(("words", "amount"), [(100, 250), (101, 500)])
async def test_the_preview_quotes_the_started_hundreds(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    words: int,
    amount: int,
) -> None:
    voice = await active_voice_model(client, sessionmaker, storage, price_amount=UNIT_PRICE)
    buyer = await funded_buyer(client)
    made = await client.post(
        f"/api/v1/models/{voice.public_id}/generations",
        json={"brief": script_of(words)},
        headers=buyer,
    )
    assert made.status_code == 201, made.text
    assert made.json()["price_amount"] == amount
    shown = await client.get(f"/api/v1/generations/{made.json()['id']}", headers=buyer)
    assert shown.json()["price"]["units"] == amount // UNIT_PRICE


async def test_a_script_over_the_voice_limit_is_refused_before_anything_runs(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    voice = await active_voice_model(client, sessionmaker, storage, price_amount=UNIT_PRICE)
    buyer = await funded_buyer(client)
    for script in ("word " * 50_000, "x" * (get_modality("voice").brief_max_chars + 1)):
        refused = await client.post(
            f"/api/v1/models/{voice.public_id}/generations",
            json={"brief": script},
            headers=buyer,
        )
        assert refused.status_code == 422, refused.text
    history = await client.get("/api/v1/wallet", headers=buyer)
    assert history.status_code == 200


async def test_a_text_model_charges_one_use_and_keeps_its_own_brief_limit(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    """A text-like model (no price rule of its own) charges its price once for a 300-word
    brief; the API takes briefs as long as a voice script, but such a model still holds its
    own briefs to 1,000 characters, and says so."""
    with echo_registered():
        echo = await active_voice_model(
            client, sessionmaker, storage, price_amount=400, modality="echo", adapter=ECHO
        )
        buyer = await funded_buyer(client)
        long_brief = "go " * 300  # 300 words in 900 characters: one use all the same
        made = await client.post(
            f"/api/v1/models/{echo.public_id}/generations",
            json={"brief": long_brief},
            headers=buyer,
        )
        assert made.status_code == 201, made.text
        assert made.json()["price_amount"] == 400
        assert made.json()["price"]["summary"] == "$4"
        refused = await client.post(
            f"/api/v1/models/{echo.public_id}/generations",
            json={"brief": "word " * 300},
            headers=buyer,
        )
    assert refused.status_code == 422, refused.text
    assert "at most 1,000" in refused.json()["detail"]
