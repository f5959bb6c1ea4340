"""The inbox names every row by its public id: API answers, pages, redirects and forms carry
no sequential key, and once plain row ids are refused a counter in one of its URLs is a 404
like any id that names nothing."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.inbox.factories import CONVERSATIONS, gig_conversation, key, read, send
from tests.inbox.test_offers import make_offer
from tests.order.test_disputes import admin_headers
from tests.web.test_pages import csrf_token, sign_in, signed_in_user
from twinwork.kit.public_ids import PATTERN, looks_public

ID = PATTERN.strip("^$")
# A counter where a row is named: "/inbox/12", "/orders/7", "Order #7", value="12".
COUNTER = re.compile(
    r"/(?:inbox|orders|gigs|admin/reports)/\d+\b"
    r"|(?<![&\w])#\d+\b"
    r'|type="hidden" name="\w+" value="\d+"'
)


async def test_answers_name_conversations_messages_offers_files_and_reports_by_public_id(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, gig_id, conversation = await gig_conversation(client, "A fox, please")
    assert looks_public(gig_id)
    assert looks_public(conversation["id"]) and conversation["subject"]["gig_id"] == gig_id
    assert conversation["subject"]["order_id"] is None
    assert looks_public(conversation["buyer"]["id"]) and looks_public(
        conversation["freelancer"]["id"]
    )
    sent = await send(client, buyer, conversation["id"], "A sketch", [("notes.txt", b"fox")])
    assert sent.status_code == 201, sent.text
    newest = sent.json()["messages"][-1]
    assert looks_public(newest["id"]) and looks_public(newest["attachments"][0]["id"])

    offer = await make_offer(client, seller, conversation["id"])
    assert looks_public(offer["id"]) and offer["conversation_id"] == conversation["id"]
    accepted = await client.post(
        f"{CONVERSATIONS}/{conversation['id']}/offers/{offer['id']}/accept", headers=buyer
    )
    assert accepted.status_code == 200, accepted.text
    assert looks_public(accepted.json()["order_id"])

    made = await client.post(
        f"{CONVERSATIONS}/{conversation['id']}/reports", json={"reason": "spam"}, headers=buyer
    )
    assert made.status_code == 201, made.text
    assert looks_public(made.json()["id"]) and made.json()["conversation_id"] == conversation["id"]
    again = await client.post(
        f"{CONVERSATIONS}/{conversation['id']}/reports", json={"reason": "spam"}, headers=buyer
    )
    assert again.status_code == 409 and again.json()["report_id"] == made.json()["id"]
    listing = await client.get("/api/v1/admin/reports", headers=await admin_headers(session))
    [item] = [r for r in listing.json()["items"] if r["id"] == made.json()["id"]]
    assert all(looks_public(item[party]["id"]) for party in ("reporter", "buyer", "freelancer"))

    # Nothing in the answers is a row's key.
    thread = (await read(client, buyer, conversation["id"])).json()
    for text in (thread, offer, accepted.json(), made.json(), item):
        assert not re.search(r'"(?:\w+_)?id": ?\d', str(text).replace("'", '"')), text


async def test_a_row_id_in_an_inbox_url_is_a_404(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, gig_id, conversation = await gig_conversation(client)
    cid = key("conversation", conversation["id"])
    offer = await make_offer(client, seller, conversation["id"])
    sent = await send(client, buyer, conversation["id"], "File", [("notes.txt", b"fox")])
    file_id = sent.json()["messages"][-1]["attachments"][0]["id"]

    assert (await read(client, buyer, conversation["id"])).status_code == 200
    assert (await client.get(f"{CONVERSATIONS}/{cid}", headers=buyer)).status_code == 404
    assert (await send(client, buyer, str(cid), "Hello")).status_code == 404
    row_offer = key("offer", offer["id"])
    for url in (
        f"{CONVERSATIONS}/{conversation['id']}/offers/{row_offer}/accept",
        f"{CONVERSATIONS}/{conversation['id']}/offers/{row_offer}/decline",
    ):
        assert (await client.post(url, headers=buyer)).status_code == 404, url
    row_file = key("attachment", file_id)
    assert (
        await client.get(
            f"{CONVERSATIONS}/{conversation['id']}/attachments/{row_file}", headers=buyer
        )
    ).status_code == 404
    assert (
        await client.get(
            f"{CONVERSATIONS}/{conversation['id']}/attachments/{file_id}", headers=buyer
        )
    ).status_code == 200
    # A row id in a body names no gig either: the 404 of a missing one.
    by_row = await client.post(
        CONVERSATIONS, json={"text": "Hi", "gig_id": key("gig", gig_id)}, headers=buyer
    )
    assert by_row.status_code == 404, by_row.text

    me = (await client.get("/api/v1/me", headers=buyer)).json()
    await sign_in(client, str(me["email"]))
    assert (await client.get(f"/inbox/{conversation['id']}")).status_code == 200
    assert (await client.get(f"/inbox/{cid}")).status_code == 404
    assert (await client.get(f"/inbox/{cid}/messages")).status_code == 404
    assert (await client.get(f"/inbox/new?gig={key('gig', gig_id)}")).status_code == 404
    checkout = f"/inbox/{conversation['id']}/offers/{row_offer}/checkout"
    assert (await client.get(checkout)).status_code == 404


async def test_inbox_pages_link_rows_by_public_id_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, gig_id, conversation = await gig_conversation(client, "Foxes?")
    await send(client, buyer, conversation["id"], "A sketch", [("notes.txt", b"fox")])
    offer = await make_offer(client, seller, conversation["id"])
    accepted = await client.post(
        f"{CONVERSATIONS}/{conversation['id']}/offers/{offer['id']}/accept", headers=buyer
    )
    assert accepted.status_code == 200, accepted.text
    order_id = accepted.json()["order_id"]
    me = (await client.get("/api/v1/me", headers=buyer)).json()
    await sign_in(client, str(me["email"]))

    listing = (await client.get("/inbox")).text
    assert f'href="/inbox/{conversation["id"]}#latest"' in listing
    page = (await client.get(f"/inbox/{conversation['id']}")).text
    assert f'href="/gigs/{gig_id}"' in page
    assert f'hx-get="/inbox/{conversation["id"]}/messages"' in page
    assert f'<a href="/orders/{order_id}">Order #{order_id[:8].upper()}</a>' in page
    assert re.search(rf'href="/inbox/{conversation["id"]}/attachments/{ID}"', page)
    assert re.search(rf'id="offer-{ID}"', page) and re.search(rf'id="message-{ID}"', page)
    for text in (listing, page):
        assert not COUNTER.search(text), COUNTER.search(text)

    # The conversation about the order, by the order's public id, and its subject's name.
    about = await client.get(f"/inbox/new?order={order_id}")
    assert about.status_code == 200, about.text
    assert f'name="order" value="{order_id}"' in about.text
    assert f"About order #{order_id[:8].upper()}." in about.text
    started = await client.post(
        "/inbox",
        data={"csrf_token": await csrf_token(client), "order": order_id, "text": "Done?"},
    )
    assert started.status_code == 303, started.text
    assert re.fullmatch(rf"/inbox/{ID}#latest", started.headers["location"])
    thread = (await client.get(started.headers["location"].split("#")[0])).text
    assert f'About <a href="/orders/{order_id}">Order #{order_id[:8].upper()}</a>' in thread
    assert not COUNTER.search(thread), COUNTER.search(thread)
    redirected = await client.get(f"/inbox/orders/{order_id}")
    assert redirected.status_code == 303
    assert redirected.headers["location"] == started.headers["location"]


async def test_the_report_pages_name_reports_and_conversations_by_public_id(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, buyer, _, conversation = await gig_conversation(client, "Pay me off-site?")
    made = await client.post(
        f"{CONVERSATIONS}/{conversation['id']}/reports", json={"reason": "scam"}, headers=buyer
    )
    report_id = made.json()["id"]
    await signed_in_user(client, session, roles=("admin",))
    listing = (await client.get("/admin/reports")).text
    assert f'href="/inbox/{conversation["id"]}#latest"' in listing
    assert f'action="/admin/reports/{report_id}/resolve"' in listing
    assert f"#{report_id[:8].upper()} · " in listing
    thread = (await client.get(f"/inbox/{conversation['id']}")).text
    assert f"Report #{report_id[:8].upper()}:" in thread
    assert f'name="conversation_id" value="{conversation["id"]}"' in thread
    for text in (listing, thread):
        assert not COUNTER.search(text), COUNTER.search(text)

    token = await csrf_token(client)
    by_row = await client.post(
        f"/admin/reports/{key('report', report_id)}/resolve",
        data={"csrf_token": token, "resolution": "Warned them."},
    )
    assert by_row.status_code == 404
    assert "There is no such report." in by_row.text
    resolved = await client.post(
        f"/admin/reports/{report_id}/resolve",
        data={"csrf_token": token, "resolution": "Warned them."},
    )
    assert resolved.status_code == 303, resolved.text
    twice = await client.post(
        f"/api/v1/admin/reports/{report_id}/resolve",
        json={"resolution": "Again."},
        headers=await admin_headers(session),
    )
    assert twice.status_code == 409
    assert f"Report #{report_id[:8].upper()} was resolved" in twice.json()["detail"]
