"""Order, delivery and dispute statuses are enums in Python and the same plain text in the
database and the API."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.order.test_orders import funded_buyer, order, seller_with_gig
from twinwork.kit.public_ids import row_id
from twinwork.order.models import Delivery, Order, OrderKind, OrderStatus
from twinwork.order.repository import order_repository


async def test_order_status_and_kind_read_back_as_enum_members_stored_as_text(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, kind="human", brief="A logo, please")).json()
    await client.post(
        f"/api/v1/orders/{placed['id']}/deliveries", json={"text": "Here"}, headers=seller
    )

    found = await session.scalar(select(Order).where(Order.id == row_id("order", placed["id"])))
    assert found is not None
    assert found.status is OrderStatus.DELIVERED and found.kind is OrderKind.HUMAN
    [delivery] = (
        await session.scalars(select(Delivery).where(Delivery.order_id == found.id))
    ).all()
    assert delivery.made_by is OrderKind.HUMAN
    stored = await session.scalar(
        text("SELECT status FROM orders WHERE id = :id"), {"id": row_id("order", placed["id"])}
    )
    assert stored == "delivered" and type(stored) is str


async def test_a_misspelt_status_in_a_query_is_refused_not_matched_silently(
    session: AsyncSession,
) -> None:
    with pytest.raises(StatementError, match="opn"):
        await order_repository.dispute_count(session, "opn")  # type: ignore[arg-type]
