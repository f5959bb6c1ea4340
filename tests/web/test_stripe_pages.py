"""With Stripe on, the pages' card fields become Stripe.js Elements (and the CSP lets Stripe.js
in); with the sandbox nothing from Stripe is loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.program.factories import invite
from tests.web.test_pages import signed_in_user
from twinwork.config import get_settings


@pytest.fixture
async def stripe_client(
    monkeypatch: pytest.MonkeyPatch, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    from twinwork.web.app import create_app

    monkeypatch.setattr(get_settings(), "payment_provider", "stripe")
    monkeypatch.setattr(get_settings(), "stripe_secret_key", "sk_test_fake")
    monkeypatch.setattr(get_settings(), "stripe_publishable_key", "pk_test_fake")
    app = create_app()
    app.state.sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_sandbox_pages_load_nothing_from_stripe(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await signed_in_user(client, session, roles=("buyer",))
    page = await client.get("/dashboard/wallet")
    assert "js.stripe.com" not in page.text and "data-stripe-key" not in page.text
    assert "Sandbox: 4242" in page.text
    assert "stripe" not in page.headers["content-security-policy"]


async def test_stripe_pages_collect_cards_with_stripe_elements(
    stripe_client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await signed_in_user(stripe_client, session, roles=("buyer", "freelancer"))
    await invite(session, user)  # admitted: the program page asks for a card
    await session.commit()
    for url in ("/dashboard/wallet", "/dashboard/program"):
        page = await stripe_client.get(url)
        assert page.status_code == 200, url
        assert 'data-stripe-key="pk_test_fake"' in page.text
        assert '<script src="https://js.stripe.com/v3/" defer></script>' in page.text
        assert "data-card-field" in page.text and "Sandbox: 4242" not in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self' https://js.stripe.com" in policy
        assert "frame-src https://js.stripe.com" in policy
    script = await stripe_client.get("/static/card-fields.js")
    assert script.status_code == 200 and "createPaymentMethod" in script.text
