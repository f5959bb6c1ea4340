"""Profile facts next to the avatar: the country's name, member since, response time (what
it measures is said on the page) and completed orders."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.order.test_orders import funded_buyer, order, seller_with_gig
from twinwork.catalog.countries import COUNTRY_NAMES, country_name
from twinwork.catalog.models import FreelancerProfile
from twinwork.kit.public_ids import row_id
from twinwork.order.models import Delivery, Order
from twinwork.order.track_record import TrackRecord, track_record


def test_country_codes_read_as_names() -> None:
    assert (country_name("DE"), country_name("gb"), country_name("")) == (
        "Germany",
        "United Kingdom",
        "",
    )
    assert len(COUNTRY_NAMES) == 249 and country_name("XX") == "XX"


def test_response_time_reads_in_hours_or_days() -> None:
    def text(hours: float | None) -> str:
        return TrackRecord(0, hours, 1 if hours is not None else 0).response_text

    assert [text(None), text(0.2), text(1.0), text(5.4), text(47), text(49)] == [
        "",
        "within an hour",
        "within 1 hour",
        "within 6 hours",
        "within 47 hours",
        "within 3 days",
    ]


async def test_profile_shows_country_member_since_response_time_and_completed_orders(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    me = (await client.get("/api/v1/me", headers=seller)).json()
    await client.patch("/api/v1/me/profile", json={"country": "DE"}, headers=seller)
    handle = await session.scalar(
        select(FreelancerProfile.handle).where(
            FreelancerProfile.user_id == row_id("user", me["id"])
        )
    )
    fresh = await client.get(f"/freelancers/{handle}")
    assert 'id="profile-country">Germany<' in fresh.text and ">DE<" not in fresh.text
    assert "Not measured yet" in fresh.text
    assert 'id="completed-orders">0<' in fresh.text

    buyer = await funded_buyer(client)
    ids = []
    for brief in ("First logo", "Second logo"):
        placed = await order(client, buyer, gig_id, kind="human", brief=brief)
        ids.append(placed.json()["id"])
        url = f"/api/v1/orders/{ids[-1]}"
        await client.post(f"{url}/deliveries", json={"text": "Done"}, headers=seller)
    await client.post(f"/api/v1/orders/{ids[0]}/accept", headers=buyer)
    # Move the first delivery 5 hours and the second 3 hours after their order started.
    for public_order_id, hours in zip(ids, (5, 3), strict=True):
        order_id = row_id("order", public_order_id)
        placed_order = await session.get(Order, order_id)
        assert placed_order is not None
        delivery = await session.scalar(select(Delivery).where(Delivery.order_id == order_id))
        assert delivery is not None
        started = placed_order.due_at - timedelta(days=placed_order.delivery_days or 0)
        delivery.created_at = started + timedelta(hours=hours)
    await session.commit()

    record = await track_record(session, row_id("user", me["id"]))
    assert (record.completed_orders, record.measured_orders) == (1, 2)
    assert record.response_hours == 4.0
    page = await client.get(f"/freelancers/{handle}")
    assert "First delivery within 4 hours" in page.text
    assert "median from an order's start to the first delivery, last 2 orders" in page.text
    assert 'id="completed-orders">1<' in page.text
    assert 'id="member-since">' in page.text
