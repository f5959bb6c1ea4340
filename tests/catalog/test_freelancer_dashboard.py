"""The freelancer's dashboard at a glance: orders to deliver (soonest due first), what came
in this month and what can be withdrawn, and the AI model's state."""

from __future__ import annotations

import re

import httpx

from tests.catalog.factories import row_id_links
from tests.order.test_order_page import signed_in_as
from tests.order.test_orders import funded_buyer, order, seller_with_gig
from twinwork.kit import public_ids


def reference(placed: dict[str, str]) -> str:
    """How a page names an order: its public id's first eight characters."""
    assert re.fullmatch(public_ids.PATTERN, placed["id"]), placed["id"]
    return f"Order #{placed['id'][:8].upper()}"


async def test_dashboard_lists_orders_to_deliver_soonest_due_first(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client, 50_000)
    later = (await order(client, buyer, gig_id, package="standard", brief="Five days")).json()
    sooner = (await order(client, buyer, gig_id, package="basic", brief="Three days")).json()
    waiting = (await order(client, buyer, gig_id, package="basic")).json()
    assert waiting["status"] == "awaiting_requirements"

    await signed_in_as(client, seller)
    page = (await client.get("/dashboard/freelancer")).text
    assert '<span class="stat-value" id="orders-to-do-count">2</span>' in page
    assert "1 waiting on the buyer" in page
    queue = page[page.index('id="orders-to-do"') :]
    assert queue.index(reference(sooner)) < queue.index(reference(later))
    assert reference(waiting) not in queue[: queue.index("</section>")]
    assert f'href="/orders/{sooner["id"]}"' in queue
    assert row_id_links(page) == [] and not re.search(r"Order #\d+\b", page)
    assert "Due in 3 days" in queue and "Due in 5 days" in queue
    assert '<span class="stat-value" id="model-status">None</span>' in page


async def test_dashboard_shows_this_months_earnings_once_an_order_is_accepted(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, brief="A logo")).json()
    await client.post(
        f"/api/v1/orders/{placed['id']}/deliveries", json={"text": "Done."}, headers=seller
    )
    accepted = await client.post(f"/api/v1/orders/{placed['id']}/accept", headers=buyer)
    assert accepted.status_code == 200, accepted.text

    await signed_in_as(client, seller)
    page = (await client.get("/dashboard/freelancer")).text
    # $45 less the 20% fee, pending until it clears.
    assert '<span class="stat-value" id="earned-this-month">$36</span>' in page
    assert "$0 to withdraw" in page
    assert "Nothing to deliver right now." in page
