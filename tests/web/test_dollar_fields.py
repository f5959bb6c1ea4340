"""Every form that takes dollars refuses what parse_dollars refuses: "1_000" is a form error
on the amount, never 1,000 cents."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.web.test_pages import signed_in_user
from twinwork.billing.models import Payment, Payout
from twinwork.catalog.models import Gig
from twinwork.kit.csrf import CSRF_COOKIE

ODD_AMOUNTS = ["1_000", "1e3", "0x10", "-5", "١٠"]


async def count(session: AsyncSession, column: Any, user_id: int) -> int:
    """Rows of this user's only: other tests may have committed rows of their own."""
    return int(await session.scalar(select(func.count()).where(column == user_id)) or 0)


@pytest.mark.parametrize("amount", ODD_AMOUNTS)
async def test_wallet_top_up_form_refuses_an_amount_it_cannot_read(
    client: httpx.AsyncClient, session: AsyncSession, amount: str
) -> None:
    user = await signed_in_user(client, session, roles=("buyer",))
    response = await client.post(
        "/dashboard/wallet/top-up",
        data={
            "csrf_token": client.cookies.get(CSRF_COOKIE),
            "amount": amount,
            "card_number": "4242 4242 4242 4242",
        },
    )
    assert response.status_code == 422, response.text
    assert "Enter an amount in dollars" in response.text
    assert await count(session, Payment.user_id, user.id) == 0


@pytest.mark.parametrize("amount", ODD_AMOUNTS)
async def test_payout_form_refuses_an_amount_it_cannot_read(
    client: httpx.AsyncClient, session: AsyncSession, amount: str
) -> None:
    user = await signed_in_user(client, session)
    response = await client.post(
        "/dashboard/earnings/payouts",
        data={"csrf_token": client.cookies.get(CSRF_COOKIE), "amount": amount},
    )
    assert response.status_code == 422, response.text
    assert "Enter an amount in dollars" in response.text
    assert await count(session, Payout.user_id, user.id) == 0


async def test_gig_form_refuses_a_package_price_it_cannot_read(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await signed_in_user(client, session)
    response = await client.post(
        "/dashboard/gigs/new",
        data={
            "csrf_token": client.cookies.get(CSRF_COOKIE),
            "title": "I will write punchy taglines for your launch",
            "category": "copywriting",
            "description": "Ten tagline options in your voice, with a note on each choice.",
            "basic_price": "1_000",
            "basic_delivery_days": "2",
        },
    )
    assert response.status_code == 422, response.text
    assert "Enter an amount in dollars" in response.text
    assert await count(session, Gig.freelancer_id, user.id) == 0
