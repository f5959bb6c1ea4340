"""A hybrid order's freelancer starts from the AI draft (it fills their delivery box), and
delivered prose reads in a reading font, not monospace."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.order.test_order_page import signed_in_as
from tests.order.test_orders import funded_buyer, order, seller_with_gig
from twinwork.kit.public_ids import row_id
from twinwork.order.models import Delivery, Order, OrderKind
from twinwork.order.service import disclosure

CSS = Path(__file__).resolve().parents[2] / "src" / "twinwork" / "web" / "static" / "app.css"


async def test_the_ai_draft_fills_the_freelancers_delivery_box(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, kind="human", brief="A chorus")).json()
    # As a hybrid order is placed: its model's draft is delivered to the buyer at once.
    hybrid = await session.get(Order, row_id("order", placed["id"]))
    assert hybrid is not None
    hybrid.kind = OrderKind.HYBRID
    session.add(
        Delivery(
            order_id=hybrid.id,
            made_by=OrderKind.AI,
            is_draft=True,
            text="Trains in the night,\nwe count the lights.",
            disclosure=disclosure(OrderKind.HYBRID, "Sam Seller", draft=True),
            files=[],
        )
    )
    await session.commit()

    await signed_in_as(client, seller)
    page = (await client.get(f"/orders/{placed['id']}")).text
    box = page[page.index('<textarea id="text"') :]
    assert box[: box.index("</textarea>")].endswith("Trains in the night,\nwe count the lights.")
    assert "Starts from the AI draft" in page
    assert '<div class="delivery-text">Trains in the night,' in page

    rule = next(line for line in CSS.read_text().splitlines() if line.startswith(".delivery-text"))
    assert "serif" in rule and "monospace" not in rule
