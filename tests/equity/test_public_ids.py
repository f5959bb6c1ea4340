"""Grants, rounds and the freelancers in them are named by opaque public ids; a grant's row
key in its statement's address names nothing once row ids are no longer read."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.equity.factories import LAST_YEAR
from tests.equity.test_routes import ROUNDS, headers_of, qualified
from tests.order.test_disputes import admin_headers
from tests.web.test_pages import sign_in
from twinwork.kit.public_ids import looks_public, row_id


async def test_rounds_and_grants_carry_public_ids_and_statements_refuse_row_ids(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    user = await qualified(session)
    ran = await client.post(
        ROUNDS, json={"year": LAST_YEAR, "share_price_amount": 3_000}, headers=admin
    )
    assert ran.status_code == 201, ran.text
    body = ran.json()
    assert looks_public(body["round"]["id"])
    assert all(looks_public(m["user_id"]) for m in body["round"]["near_misses"])
    [grant] = [g for g in body["grants"] if g["user_id"] == user.public_id]
    assert looks_public(grant["id"])
    mine = await client.get("/api/v1/equity/grants", headers=await headers_of(session, user))
    assert [g["id"] for g in mine.json()] == [grant["id"]]

    await sign_in(client, user.email)
    page = await client.get("/dashboard/equity")
    assert f'href="/dashboard/equity/grants/{grant["id"]}/statement"' in page.text
    assert not re.search(r"/dashboard/equity/grants/\d+/", page.text)
    statement = await client.get(f"/dashboard/equity/grants/{grant['id']}/statement")
    assert statement.status_code == 200 and f"Grant {grant['id'][:8].upper()}" in statement.text
    by_row = await client.get(f"/dashboard/equity/grants/{row_id('grant', grant['id'])}/statement")
    assert by_row.status_code == 404
