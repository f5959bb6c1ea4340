"""The demo shows the AI offer live: two demo freelancers' models train in the background and
go on sale when their training succeeds. Training here is real but capped (the tests' own
TWINWORK_TRAINING_MAX_STEPS and evaluation settings, see tests/backends.py), and only one of the
two runs is executed: the other shows what a visitor sees meanwhile."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.catalog.test_ai_offer import package_box
from tests.creation.conftest import storage  # noqa: F401  # fixture
from tests.order.test_orders import funded_buyer, wallet
from twinwork.account.models import User
from twinwork.catalog.models import Gig
from twinwork.creation.models import PersonalModel
from twinwork.creation.training import execute_run
from twinwork.demo import loader
from twinwork.demo.content import FREELANCERS
from twinwork.demo.portfolio import PORTFOLIOS
from twinwork.demo.training import DEMO_MODELS, activate_demo_models, queue_demo_models
from twinwork.kit.security import hash_password
from twinwork.kit.storage import ObjectStorage


async def demo_freelancers(session: AsyncSession) -> dict[str, User]:
    """The demo's two freelancers with portfolios, as the demo loads them: gigs, samples with
    consent, a program membership."""
    password_hash = hash_password("demo-password-2026")
    await loader._ensure_user(session, loader.ADMIN_EMAIL, "Operations", password_hash, admin=True)
    admin = await loader._get_user(session, loader.ADMIN_EMAIL)
    assert admin is not None
    users = {}
    for person in FREELANCERS:
        if person.handle in PORTFOLIOS:
            await loader._ensure_freelancer(session, person, password_hash)
            email = f"{person.handle}@{loader.DEMO_DOMAIN}"
            await loader._ensure_portfolio(session, admin, email, PORTFOLIOS[person.handle])
            user = await loader._get_user(session, email)
            assert user is not None
            users[person.handle] = user
    return users


async def first_gig(session: AsyncSession, user: User) -> Gig:
    gig = await session.scalar(
        select(Gig).where(Gig.freelancer_id == user.id).order_by(Gig.id).limit(1)
    )
    assert gig is not None
    return gig


async def test_demo_models_train_in_the_background_then_go_on_sale(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,  # noqa: F811
) -> None:
    users = await demo_freelancers(session)
    assert set(users) == {demo.handle for demo in DEMO_MODELS}
    queued = await queue_demo_models(session)
    assert len(queued) == 2
    assert await queue_demo_models(session) == []  # loading the demo again queues nothing
    await session.commit()
    lyrics, copy = users["noor-haddad-lyrics"], users["ines-marchetti-copy"]
    lyrics_gig, copy_gig = await first_gig(session, lyrics), await first_gig(session, copy)

    # Meanwhile the gig page says the model is coming, and sells by hand only.
    page = (await client.get(f"/gigs/{lyrics_gig.public_id}")).text
    assert "training, ready in a few minutes" in page and "way-toggle" not in page
    assert await activate_demo_models(session) == []  # nothing trained yet

    # The worker trains the lyricist's model; the demo switches it on.
    models = {
        m.owner_user_id: m
        for m in await session.scalars(
            select(PersonalModel).where(PersonalModel.owner_user_id.in_([lyrics.id, copy.id]))
        )
    }
    run_id = queued[0]  # queued in DEMO_MODELS' order: the lyricist's first
    assert await _run_model(session, run_id) == models[lyrics.id].id
    assert await execute_run(sessionmaker, run_id, storage) == "succeeded"
    activated = await activate_demo_models(session)
    assert activated == [models[lyrics.id].id]
    await session.commit()
    assert await activate_demo_models(session) == []  # once

    page = (await client.get(f"/gigs/{lyrics_gig.public_id}")).text
    assert "way-toggle" in page and "training, ready" not in page
    basic = package_box(page, "basic")
    prices = dict(re.findall(r'<span class="price" data-way="(\w+)">\$(\d+)', basic))
    # $40 by hand, 20% of it made by AI, 60% as a refined draft.
    assert prices == {"human": "40", "ai": "8", "hybrid": "24"}
    still = (await client.get(f"/gigs/{copy_gig.public_id}")).text
    assert "training, ready in a few minutes" in still

    # A visitor buys the basic package as AI work: charged the package's AI price.
    buyer = await funded_buyer(client)
    ordered = await client.post(
        "/api/v1/orders",
        json={
            "gig_id": lyrics_gig.public_id,
            "package": "basic",
            "kind": "ai",
            "brief": "A verse about a lighthouse",
        },
        headers={**buyer, "Idempotency-Key": "demo-ai-order"},
    )
    assert ordered.status_code == 201, ordered.text
    assert (ordered.json()["kind"], ordered.json()["price_amount"]) == ("ai", 800)
    assert await wallet(client, buyer) == 20_000 - 800


async def _run_model(session: AsyncSession, run_id: int) -> int:
    from twinwork.creation.service import creation_service

    run = await creation_service.run(session, run_id)
    assert run is not None
    return run.model_id
