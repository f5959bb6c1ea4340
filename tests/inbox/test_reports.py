"""Reports: a party reports a conversation; an operator reads it (never writes in it) while
the report is open, and resolving the report ends that access."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.inbox.factories import CONVERSATIONS, gig_conversation, read, send
from tests.order.test_disputes import admin_headers
from tests.web.test_pages import sign_in, signed_in_user
from twinwork.kit.csrf import CSRF_COOKIE


def reports_url(conversation_id: str) -> str:
    return f"{CONVERSATIONS}/{conversation_id}/reports"


async def report(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, **body: str
) -> httpx.Response:
    body = {"reason": "scam", "note": "Asked me to pay by bank transfer instead.", **body}
    return await client.post(reports_url(conversation_id), json=body, headers=headers)


async def test_an_operator_reads_a_reported_conversation_until_the_report_is_resolved(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client, "Pay me off-site?")
    conversation_id = conversation["id"]
    admin = await admin_headers(session)
    # Nothing reported: the conversation is private, to operators too.
    assert (await read(client, admin, conversation_id)).status_code == 404

    made = await report(client, buyer, conversation_id)
    assert made.status_code == 201, made.text
    assert (made.json()["reason"], made.json()["status"]) == ("scam", "open")

    listing = (await client.get("/api/v1/admin/reports", headers=admin)).json()
    mine = [r for r in listing["items"] if r["conversation_id"] == conversation_id]
    assert len(mine) == 1 and mine[0]["reporter"]["id"] == conversation["buyer"]["id"]
    assert mine[0]["note"] == "Asked me to pay by bank transfer instead."

    thread = await read(client, admin, conversation_id)
    assert thread.status_code == 200, thread.text
    assert thread.json()["role"] == "admin"
    assert thread.json()["messages"][0]["text"] == "Pay me off-site?"
    # Reading is all: an operator never writes in it, nor reports it.
    assert (await send(client, admin, conversation_id, "Operator here")).status_code == 403
    assert (await report(client, admin, conversation_id)).status_code == 403

    resolved = await client.post(
        f"/api/v1/admin/reports/{made.json()['id']}/resolve",
        json={"resolution": "Warned the freelancer about off-site payments."},
        headers=admin,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_at"]
    assert (await read(client, admin, conversation_id)).status_code == 404
    again = await client.post(
        f"/api/v1/admin/reports/{made.json()['id']}/resolve",
        json={"resolution": "Twice"},
        headers=admin,
    )
    assert again.status_code == 409
    done = (await client.get("/api/v1/admin/reports?status=resolved", headers=admin)).json()
    assert any(r["id"] == made.json()["id"] for r in done["items"])
    # The parties still read and write as before.
    assert (await send(client, seller, conversation_id, "Sorry, here only.")).status_code == 201


async def test_one_open_report_per_person_with_a_reason_from_the_list(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client)
    conversation_id = conversation["id"]
    assert (await report(client, buyer, conversation_id)).status_code == 201
    twice = await report(client, buyer, conversation_id, reason="spam")
    assert twice.status_code == 409 and "You reported this conversation" in twice.json()["detail"]
    # The other party reports on their own.
    assert (await report(client, seller, conversation_id, reason="harassment")).status_code == 201
    unknown = await report(client, seller, conversation_id, reason="boring")
    assert unknown.status_code == 422
    _, other_buyer, _, other = await gig_conversation(client)
    vague = await report(client, other_buyer, other["id"], reason="other", note=" ")
    assert vague.status_code == 422 and "Say what happened" in vague.text
    long_note = await report(client, other_buyer, other["id"], note="x" * 2001)
    assert long_note.status_code == 422
    # Strangers meet the 404 of a conversation that does not exist.
    _, stranger = await api_signup(client)
    assert (await report(client, stranger, conversation_id)).status_code == 404
    admin = await admin_headers(session)
    missing = await client.post(
        "/api/v1/admin/reports/999999/resolve", json={"resolution": "Nothing"}, headers=admin
    )
    assert missing.status_code == 404
    bad_filter = await client.get("/api/v1/admin/reports?status=shredded", headers=admin)
    assert bad_filter.status_code == 404


async def test_a_resolved_report_on_a_conversation_with_another_open_one_keeps_access(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client)
    conversation_id = conversation["id"]
    first = (await report(client, buyer, conversation_id)).json()
    await report(client, seller, conversation_id, reason="harassment")
    admin = await admin_headers(session)
    await client.post(
        f"/api/v1/admin/reports/{first['id']}/resolve", json={"resolution": "Seen"}, headers=admin
    )
    assert (await read(client, admin, conversation_id)).status_code == 200


async def test_reporting_and_resolving_from_the_pages(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, buyer, _, conversation = await gig_conversation(client, "Send me your bank login")
    conversation_id = conversation["id"]
    me = (await client.get("/api/v1/me", headers=buyer)).json()
    await sign_in(client, str(me["email"]))
    page = await client.get(f"/inbox/{conversation_id}")
    assert f'action="/inbox/{conversation_id}/report"' in page.text
    token = client.cookies.get(CSRF_COOKIE)
    vague = await client.post(
        f"/inbox/{conversation_id}/report", data={"csrf_token": token, "reason": "other"}
    )
    assert vague.status_code == 422 and "Say what happened" in vague.text
    sent = await client.post(
        f"/inbox/{conversation_id}/report",
        data={"csrf_token": token, "reason": "personal_data", "note": "Asked for my login."},
    )
    assert sent.status_code == 303, sent.text
    after = await client.get(sent.headers["location"])
    assert 'id="reported"' in after.text and 'id="report-form"' not in after.text

    await signed_in_user(client, session, roles=("admin",))
    listing = await client.get("/admin/reports")
    assert listing.status_code == 200
    assert "Personal data shared or asked for" in listing.text
    assert "Asked for my login." in listing.text
    assert (await client.get("/admin")).text.count('href="/admin/reports"') == 1
    thread = await client.get(f"/inbox/{conversation_id}")
    assert thread.status_code == 200 and "a party reported it" in thread.text
    assert "Send me your bank login" in thread.text and 'id="reply-form"' not in thread.text
    [report_id] = [
        r["id"]
        for r in (
            await client.get("/api/v1/admin/reports", headers=await admin_headers(session))
        ).json()["items"]
        if r["conversation_id"] == conversation_id
    ]
    token = client.cookies.get(CSRF_COOKIE)
    empty = await client.post(
        f"/admin/reports/{report_id}/resolve", data={"csrf_token": token, "resolution": ""}
    )
    assert empty.status_code == 422
    resolved = await client.post(
        f"/admin/reports/{report_id}/resolve",
        data={"csrf_token": token, "resolution": "Closed the buyer's account."},
    )
    assert resolved.status_code == 303, resolved.text
    assert (await client.get(f"/inbox/{conversation_id}")).status_code == 404
    done = await client.get("/admin/reports?status=resolved")
    assert "Closed the buyer&#39;s account." in done.text or "Closed the buyer's" in done.text
