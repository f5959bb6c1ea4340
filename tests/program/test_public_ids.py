"""Applications, subscriptions and invoices are named by opaque public ids in answers and
pages; an application's row key names nothing once row ids are no longer read."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.order.test_disputes import admin_headers
from tests.program.test_admission import apply, freelancer, set_rules
from tests.program.test_pages import csrf
from tests.program.test_subscription import join
from tests.web.test_pages import signed_in_user
from twinwork.kit.public_ids import looks_public, row_id
from twinwork.program.admission import admission_service


async def test_applications_are_answered_and_decided_by_public_id(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    await set_rules(client, admin, free_seats=1, min_completed_orders=10)
    user, headers = await freelancer(client)
    application = (await apply(client, headers)).json()
    assert looks_public(application["id"]) and application["user_id"] == user["id"]
    queue = (await client.get("/api/v1/admin/program/applications", headers=admin)).json()
    assert application["id"] in {item["id"] for item in queue["items"]}

    base = "/api/v1/admin/program/applications"
    by_row = await client.post(
        f"{base}/{row_id('application', application['id'])}/approve", headers=admin
    )
    assert by_row.status_code == 404, by_row.text
    assert str(row_id("application", application["id"])) not in by_row.json()["detail"]
    approved = await client.post(f"{base}/{application['id']}/approve", headers=admin)
    assert approved.status_code == 200 and approved.json()["id"] == application["id"]


async def test_subscriptions_and_invoices_carry_public_ids(client: httpx.AsyncClient) -> None:
    headers, joined = await join(client)
    assert joined.status_code == 201, joined.text
    body = joined.json()
    [invoice] = body["invoices"]
    assert looks_public(body["id"]) and looks_public(invoice["id"])
    [receipt] = (await client.get("/api/v1/receipts", headers=headers)).json()["items"]
    assert receipt["number"] == f"I-{invoice['id'].upper()}"


async def test_the_seat_queue_page_decides_by_public_id(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    applicant = await create_user(session, roles=("freelancer",), display_name="Ada Applicant")
    view = await admission_service.apply(session, applicant)
    await session.commit()
    await signed_in_user(client, session, roles=("admin",))
    page = await client.get("/admin/program")
    public = view.application.public_id
    assert f'action="/admin/program/applications/{public}/decline"' in page.text
    assert f'id="application-{public}"' in page.text
    assert not re.search(r"/admin/program/applications/\d+/", page.text)
    refused = await client.post(
        f"/admin/program/applications/{view.application.id}/decline",
        data={**csrf(client), "reason": "Add samples of your own work first."},
    )
    assert refused.status_code == 404
