"""Orders, deliveries, files and disputes are named by opaque public ids in every answer, link,
redirect and notification; a plain row id names nothing once row ids are no longer read."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.order.test_delivery_files import LOGO, as_file
from tests.order.test_disputes import REASON, admin_headers
from tests.order.test_order_page import signed_in_as
from tests.order.test_orders import funded_buyer, order, seller_with_gig
from twinwork.kit.csrf import CSRF_COOKIE
from twinwork.kit.public_ids import looks_public, public_id, row_id
from twinwork.notify.models import Notification


def row_id_link(kinds: str, html: str) -> re.Match[str] | None:
    """A link whose id is all digits (a public id may start with a digit, never be all digits)."""
    return re.search(rf"/({kinds})/\d+(?![0-9a-z])", html)


async def test_order_answers_carry_public_ids_and_a_row_id_names_no_order(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = await order(client, buyer, gig_id, brief="A logo for my bakery")
    assert placed.status_code == 201, placed.text
    url = f"/api/v1/orders/{placed.json()['id']}"
    body = {"text": "The logo.", "files": [as_file("logo.svg", LOGO)]}
    assert (await client.post(f"{url}/deliveries", json=body, headers=seller)).status_code == 201
    opened = await client.post(f"{url}/disputes", json={"reason": REASON}, headers=buyer)
    assert opened.status_code == 201, opened.text

    answer = opened.json()
    [delivery] = answer["deliveries"]
    [file] = delivery["files"]
    ids = [answer[key] for key in ("id", "buyer_user_id", "freelancer_user_id", "gig_id")]
    ids += [delivery["id"], file["id"], answer["dispute"]["id"], answer["dispute"]["order_id"]]
    assert all(looks_public(value) for value in ids), ids
    assert answer["gig_id"] == gig_id and answer["dispute"]["order_id"] == answer["id"]
    assert answer in (await client.get("/api/v1/orders", headers=buyer)).json()["items"]

    order_row = row_id("order", answer["id"])
    assert order_row > 0 and public_id("order", order_row) == answer["id"]
    # The same order by its row key, or another kind's id in its place, is not found.
    for path in (f"/api/v1/orders/{order_row}", f"/api/v1/orders/{answer['gig_id']}"):
        missing = await client.get(path, headers=buyer)
        assert missing.status_code == 404, (path, missing.text)
        assert str(order_row) not in missing.json()["detail"]
    file_row = row_id("file", file["id"])
    assert (await client.get(f"{url}/files/{file['id']}", headers=buyer)).status_code == 200
    assert (await client.get(f"{url}/files/{file_row}", headers=buyer)).status_code == 404

    admin = await admin_headers(session)
    disputes = (await client.get("/api/v1/admin/disputes", headers=admin)).json()["items"]
    assert answer["dispute"] in disputes
    dispute_row = row_id("dispute", answer["dispute"]["id"])
    resolve = {"refund_amount": 0, "note": "Delivered as briefed."}
    refused = await client.post(
        f"/api/v1/admin/disputes/{dispute_row}/resolve", json=resolve, headers=admin
    )
    assert refused.status_code == 404

    # The freelancer was told of the order and of the dispute with links by public id.
    links = await session.scalars(
        select(Notification.link).where(
            Notification.user_id == row_id("user", answer["freelancer_user_id"]),
            Notification.link.like("/orders/%"),
        )
    )
    assert {link.split("#")[0] for link in links} == {f"/orders/{answer['id']}"}


async def test_an_order_for_a_gig_id_that_names_nothing_is_a_missing_gig(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, brief="A logo")).json()
    missing = await order(client, buyer, "a" * 26)
    assert missing.status_code == 404, missing.text
    # An order's id is no gig's id.
    assert (await order(client, buyer, placed["id"])).status_code == 404
    # Neither is a gig's row key once row ids are not read.
    assert (await order(client, buyer, str(row_id("gig", gig_id)))).status_code == 404


async def test_order_pages_link_and_redirect_by_public_id(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, brief="A logo")).json()
    order_row = row_id("order", placed["id"])
    await signed_in_as(client, buyer)

    page = await client.get(f"/orders/{placed['id']}")
    assert page.status_code == 200
    reference = placed["id"][:8].upper()
    assert f"Order #{reference}" in page.text
    assert f'action="/orders/{placed["id"]}/cancel"' in page.text
    assert f'href="/gigs/{gig_id}"' in page.text
    assert not row_id_link("orders|gigs|generations", page.text)
    assert (await client.get(f"/orders/{order_row}")).status_code == 404

    listed = await client.get("/dashboard/orders")
    assert f'href="/orders/{placed["id"]}"' in listed.text and f"#{reference}" in listed.text
    assert not row_id_link("orders", listed.text)

    token = client.cookies.get(CSRF_COOKIE)
    cancelled = await client.post(f"/orders/{placed['id']}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == f"/orders/{placed['id']}?done=cancel"
    refused = await client.post(f"/orders/{order_row}/cancel", data={"csrf_token": token})
    assert refused.status_code == 404
