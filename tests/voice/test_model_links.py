"""A voice model's pages lead to each other: the freelancer's model page to the voice page
(verification, held-out takes) and the recordings, with the price labelled per started 100
words; the voice page back to the model page and to the public page; the public page to the
model page for its owner only, and to buyers it says the voice was verified."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.voice.factories import active_voice_model, verified_voice
from tests.web.test_pages import sign_in
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.kit.storage import ObjectStorage, make_storage


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    store = make_storage(get_settings())
    yield store
    await artifacts.delete_stored(store, "models/")


async def test_the_model_page_links_the_voice_page_and_the_recordings(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    voice = await active_voice_model(client, sessionmaker, storage, price_amount=250)
    await sign_in(client, voice.owner_email)
    page = await client.get(f"/dashboard/models/{voice.public_id}")
    assert page.status_code == 200
    assert f'href="/dashboard/models/{voice.public_id}/voice"' in page.text
    assert "Not verified yet" in page.text
    assert 'href="/dashboard/portfolio#samples"' in page.text
    assert "Price per started 100 words (USD)" in page.text
    assert "$2.50 per started 100 words." in page.text
    # The version's held-out speaker similarity, in plain words.
    assert "Closer to your style than the base model: voice 89%" in page.text

    await verified_voice(sessionmaker, voice)
    page = await client.get(f"/dashboard/models/{voice.public_id}")
    assert "Verified" in page.text and "Not verified yet" not in page.text

    voice_page = await client.get(f"/dashboard/models/{voice.public_id}/voice")
    assert voice_page.status_code == 200
    assert f'href="/dashboard/models/{voice.public_id}"' in voice_page.text
    assert f'href="/models/{voice.public_id}"' in voice_page.text  # active: its public page
    assert 'href="/dashboard/portfolio#samples"' in voice_page.text


async def test_the_public_page_says_the_voice_was_verified_and_links_its_owner_back(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    voice = await active_voice_model(client, sessionmaker, storage, price_amount=250)
    anonymous = await client.get(f"/models/{voice.public_id}")
    assert anonymous.status_code == 200
    assert '$2.50 <span id="price-unit">per started 100 words</span>' in anonymous.text
    assert "Voice verified" not in anonymous.text  # no evidence on record yet
    assert "Manage this model" not in anonymous.text

    await verified_voice(sessionmaker, voice, similarity=0.91)
    shown = await client.get(f"/models/{voice.public_id}")
    assert "Voice verified" in shown.text and "match 0.91" in shown.text

    buyer, _ = await api_signup(client, display_name="Ben Buyer")
    await sign_in(client, str(buyer["email"]))
    as_buyer = await client.get(f"/models/{voice.public_id}")
    assert "Manage this model" not in as_buyer.text
    assert 'maxlength="3000"' in as_buyer.text  # a voice script is longer than a text brief
    assert "watermarked, reduced copies" in as_buyer.text
    await sign_in(client, voice.owner_email)
    as_owner = await client.get(f"/models/{voice.public_id}")
    assert f'href="/dashboard/models/{voice.public_id}" id="manage-model"' in as_owner.text


async def test_a_text_model_page_shows_no_voice_links(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    text = await active_voice_model(
        client, sessionmaker, storage, price_amount=400, modality="text"
    )
    await sign_in(client, text.owner_email)
    page = await client.get(f"/dashboard/models/{text.public_id}")
    assert page.status_code == 200
    assert "/voice" not in page.text and 'id="model-links"' not in page.text
    assert "Price per use (USD)" in page.text


async def test_voice_pages_and_answers_refuse_a_row_id_and_link_public_ids(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    voice = await active_voice_model(client, sessionmaker, storage, price_amount=250)
    phrase = f"/api/v1/models/{voice.model_id}/voice-verification"
    assert (await client.get(phrase, headers=voice.owner)).status_code == 404
    phrase = f"/api/v1/models/{voice.public_id}/voice-verification"
    assert (await client.get(phrase, headers=voice.owner)).status_code == 200

    await sign_in(client, voice.owner_email)
    assert (await client.get(f"/dashboard/models/{voice.model_id}/voice")).status_code == 404
    page = await client.get(f"/dashboard/models/{voice.public_id}/voice")
    assert page.status_code == 200
    assert f'action="/dashboard/models/{voice.public_id}/voice/verification"' in page.text
    assert f"/dashboard/models/{voice.model_id}/" not in page.text
    take = f"/dashboard/models/{voice.public_id}/versions/{voice.version_id}/takes/take-1-base.png"
    assert (await client.get(take)).status_code == 404
