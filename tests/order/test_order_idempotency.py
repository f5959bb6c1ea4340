"""An order's Idempotency-Key names one order request: another body under it is refused."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.billing.test_routes import ledger_rows
from tests.order.test_orders import BASIC_PRICE, funded_buyer, seller_with_gig, wallet
from twinwork.order.models import Order


async def orders(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Order)) or 0)


async def test_order_retry_with_same_key_and_body_returns_the_first_order(
    client: httpx.AsyncClient,
) -> None:
    _, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    keyed = {**buyer, "Idempotency-Key": "order-1"}
    body = {"gig_id": gig_id, "package": "basic", "brief": "A logo for my bakery"}
    first = await client.post("/api/v1/orders", json=body, headers=keyed)
    again = await client.post("/api/v1/orders", json=body, headers=keyed)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"]
    assert await wallet(client, buyer) == 20_000 - BASIC_PRICE


async def test_order_retry_with_same_key_and_another_brief_is_refused_and_charges_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    keyed = {**buyer, "Idempotency-Key": "order-2"}
    body = {"gig_id": gig_id, "package": "basic", "brief": "A logo for my bakery"}
    assert (await client.post("/api/v1/orders", json=body, headers=keyed)).status_code == 201
    before = (await ledger_rows(session), await orders(session))
    other = await client.post(
        "/api/v1/orders", json={**body, "brief": "A logo for my bike shop"}, headers=keyed
    )
    assert other.status_code == 400, other.text
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert (await ledger_rows(session), await orders(session)) == before
    assert await wallet(client, buyer) == 20_000 - BASIC_PRICE
