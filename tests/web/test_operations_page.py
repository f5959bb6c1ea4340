"""The operations page: money by where it sits, how long orders and disputes have waited,
and search demand over time."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.order.test_orders import funded_buyer, order, seller_with_gig
from tests.web.test_pages import signed_in_user
from twinwork.kit.db import utcnow
from twinwork.kit.money import format_amount
from twinwork.kit.public_ids import row_id
from twinwork.ledger.service import ledger_service
from twinwork.order.models import Order
from twinwork.order.service import order_service


async def test_money_totals_and_order_ageing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client, 20_000)
    fresh = (await order(client, buyer, gig_id, brief="New")).json()
    old = (await order(client, buyer, gig_id, brief="Old")).json()
    # The second order was placed ten days ago and is now a week late.
    await session.execute(
        update(Order)
        .where(Order.id == row_id("order", old["id"]))
        .values(created_at=utcnow() - timedelta(days=10), due_at=utcnow() - timedelta(days=7))
    )
    ageing = await order_service.ageing(session)
    assert ageing.labels[0] == "under a day" and ageing.labels[-1] == "over 7 days"
    assert ageing.orders[0] >= 1 and ageing.orders[-1] >= 1 and ageing.late_orders >= 1
    assert fresh["id"] != old["id"]

    await signed_in_user(client, session, roles=("admin",))
    page = (await client.get("/admin")).text
    money = page[page.index('id="money-totals"') :]
    totals = await ledger_service.balances_by_kind(session, "USD")
    assert totals["escrow"] >= 2 * 4500, "both orders' prices sit in escrow"
    for kind, label in (("escrow", "held in escrow"), ("buyer_wallet", "in buyers&#39; wallets")):
        assert f'{format_amount(totals[kind])}</span><span class="muted">{label}' in money
    assert 'id="ageing"' in page and "over 7 days" in page
    assert "past the due date" in page[page.index('id="late-orders"') :]
    assert 'id="demand-heading"' in page
