"""The demo's voice-over artist: loading the demo only queues the work; the background job
synthesises recordings labelled as demo data, passes the real voice verification, queues the
training; once trained the model goes on sale priced per started 100 words, and a visitor
sees and previews it. A short minimum and a capped run keep it to seconds here."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.voice.factories import funded_buyer, script_of
from twinwork.account.models import User
from twinwork.catalog.models import Gig
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.creation.models import PersonalModel, RunStatus
from twinwork.creation.service import creation_service
from twinwork.creation.training import execute_run
from twinwork.demo import loader
from twinwork.demo.content import FREELANCERS
from twinwork.demo.voice import (
    VOICE_HANDLE,
    VOICE_MODEL_NAME,
    activate_demo_voice,
    prepare,
    queue_demo_voice,
    take_script,
)
from twinwork.kit.security import hash_password
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.portfolio.models import PortfolioSample


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    store = make_storage(get_settings())
    yield store
    for prefix in ("portfolio/", "models/", "generations/"):
        await artifacts.delete_stored(store, prefix)


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Half a minute of recordings, a capped run."""
    monkeypatch.setattr(get_settings(), "voice_min_seconds", 30)
    monkeypatch.setattr(get_settings(), "training_max_steps", 120)


async def demo_artist(session: AsyncSession) -> User:
    password_hash = hash_password("demo-password-2026")
    await loader._ensure_user(session, loader.ADMIN_EMAIL, "Operations", password_hash, admin=True)
    person = next(p for p in FREELANCERS if p.handle == VOICE_HANDLE)
    await loader._ensure_freelancer(session, person, password_hash)
    artist = await loader._get_user(session, f"{VOICE_HANDLE}@{loader.DEMO_DOMAIN}")
    assert artist is not None
    return artist


def test_each_demo_take_reads_its_own_sentences() -> None:
    takes = [take_script(number) for number in range(1, 31)]
    sentences = [s for take in takes for s in take.split(". ")]
    assert len(sentences) == 30 * 3 and len(set(sentences)) == len(sentences)


async def test_without_the_demo_voice_setting_loading_queues_nothing(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "demo_voice", False)
    artist = await demo_artist(session)
    assert await queue_demo_voice(session) is False
    assert await creation_service.mine(session, artist) == []


@pytest.mark.slow
async def test_the_demo_voice_trains_in_the_background_then_goes_on_sale(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    quick: None,
) -> None:
    artist = await demo_artist(session)
    assert await queue_demo_voice(session) is True
    await session.commit()
    [model] = await creation_service.mine(session, artist)
    assert (model.modality, model.name, model.price_amount) == ("voice", VOICE_MODEL_NAME, 300)
    # Loading the demo only queued the job: nothing recorded, nothing trained yet.
    assert await creation_service.runs(session, model) == []

    done = await prepare(sessionmaker, storage)
    assert "voice verified, training run" in done, done
    recordings = list(
        await session.scalars(
            select(PortfolioSample).where(PortfolioSample.owner_user_id == artist.id)
        )
    )
    assert len(recordings) >= 3
    assert all("(synthetic voice)" in r.title and r.consent_to_train for r in recordings)
    assert sum(r.duration_ms or 0 for r in recordings) >= 30_000
    assert await prepare(sessionmaker, storage) == "trained or training already"
    assert await queue_demo_voice(session) is False  # a second load queues nothing

    [run] = await creation_service.runs(session, model)
    assert run.status == RunStatus.QUEUED
    assert await execute_run(sessionmaker, run.id, storage) == "succeeded"
    session.expire_all()
    assert await activate_demo_voice(session) == model.id
    await session.commit()
    assert await activate_demo_voice(session) is None  # once
    stored = await session.get(PersonalModel, model.id)
    assert stored is not None and stored.is_active

    # A visitor sees the offer: the model's page, priced per started 100 words, verified.
    page = await client.get(f"/models/{model.public_id}")
    assert "per started 100 words" in page.text and "Voice verified" in page.text
    gig = await session.scalar(select(Gig).where(Gig.freelancer_id == artist.id).limit(1))
    assert gig is not None
    assert "way-toggle" in (await client.get(f"/gigs/{gig.public_id}")).text
    buyer = await funded_buyer(client)
    made = await client.post(
        f"/api/v1/models/{model.public_id}/generations",
        json={"brief": script_of(30)},
        headers=buyer,
    )
    assert made.status_code == 201, made.text
    assert made.json()["price"]["summary"] == "$3"
    assert made.json()["price"]["unit_label"] == "per started 100 words"
    assert [f["name"] for f in made.json()["preview_files"]] == ["preview-narration.mp3"]
