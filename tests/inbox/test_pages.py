"""The inbox pages: the list with its empty state, Contact on gigs and profiles, Message on
orders, a conversation with its reply form, live updates, take-over, offers by form, and the
unread count in the header and on the dashboards."""

from __future__ import annotations

import io
import re

import httpx
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.billing.test_routes import top_up
from tests.catalog.factories import create_gig
from tests.web.test_pages import csrf_token, sign_in
from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.catalog.models import Gig
from twinwork.catalog.service import profile_service
from twinwork.kit.public_ids import PATTERN

ID = PATTERN.strip("^$")  # a public id inside a URL


async def parties(session: AsyncSession) -> tuple[User, User, Gig]:
    seller = await create_user(session, roles=("freelancer",), display_name="Sam Seller")
    buyer = await create_user(session, display_name="Bo Buyer")
    gig = await create_gig(session, seller)
    await session.commit()
    return seller, buyer, gig


async def write_first(client: httpx.AsyncClient, gig: Gig, text: str) -> str:
    sent = await client.post(
        "/inbox",
        data={"csrf_token": await csrf_token(client), "gig": gig.public_id, "text": text},
    )
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    assert re.fullmatch(rf"/inbox/{ID}#latest", location), location
    return location.split("#")[0]


async def test_the_inbox_starts_empty_and_contact_on_a_gig_starts_a_conversation(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, gig = await parties(session)
    await sign_in(client, buyer.email)
    empty = await client.get("/inbox")
    assert empty.status_code == 200 and "No messages yet." in empty.text

    profile = await profile_service.find(session, seller.id)
    assert profile is not None
    profile_page = await client.get(f"/freelancers/{profile.handle}")
    assert f'href="/inbox/new?freelancer={profile.handle}"' in profile_page.text
    gig_page = await client.get(f"/gigs/{gig.public_id}")
    assert f'href="/inbox/new?gig={gig.public_id}"' in gig_page.text
    assert (await client.get("/inbox/new")).headers["location"] == "/inbox"  # to nobody
    compose = await client.get(f"/inbox/new?gig={gig.public_id}")
    assert compose.status_code == 200 and 'name="csrf_token"' in compose.text
    assert f'name="gig" value="{gig.public_id}"' in compose.text
    assert f"About gig #{gig.reference}." in compose.text
    thread_url = await write_first(client, gig, "Do you draw foxes?")
    page = await client.get(thread_url)
    assert page.status_code == 200
    assert "Do you draw foxes?" in page.text and "Bo Buyer" in page.text
    assert 'hx-trigger="every 5s"' in page.text and 'id="reply-form"' in page.text
    assert "Take over" not in page.text and "Send a custom offer" not in page.text
    again = await client.get(f"/inbox/new?gig={gig.public_id}")  # Contact again: the same thread
    assert again.status_code == 303 and again.headers["location"].startswith(thread_url)
    fragment = await client.get(f"{thread_url}/messages")
    assert fragment.status_code == 200
    assert 'id="messages"' in fragment.text and "<html" not in fragment.text

    await sign_in(client, seller.email)
    header = await client.get("/help")
    assert 'id="nav-messages">Messages <span class="badge unread-count"' in header.text
    dashboard = await client.get("/dashboard", follow_redirects=True)
    assert 'id="unread-messages">1<' in dashboard.text
    own_gig = await client.get(f"/gigs/{gig.public_id}")
    assert 'id="contact-seller"' not in own_gig.text
    thread = await client.get(thread_url)
    assert "Take over" in thread.text and "Send a custom offer" in thread.text
    assert 'id="nav-messages">Messages</a>' in (await client.get("/help")).text


async def test_a_reply_with_a_fake_picture_is_refused_on_the_page_and_a_real_one_is_kept(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, gig = await parties(session)
    await sign_in(client, buyer.email)
    thread_url = await write_first(client, gig, "Hello")
    token = await csrf_token(client)
    fake = await client.post(
        f"{thread_url}/messages",
        data={"csrf_token": token, "text": "My logo"},
        files={"files": ("logo.png", b"<?php system($_GET['c']); ?>", "image/png")},
    )
    assert fake.status_code == 422 and "named .png" in fake.text
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 0)).save(buffer, "PNG")
    real = await client.post(
        f"{thread_url}/messages",
        data={"csrf_token": token, "text": "My logo"},
        files={"files": ("logo.png", buffer.getvalue(), "image/png")},
    )
    assert real.status_code == 303, real.text
    page = (await client.get(thread_url)).text
    assert page.count("My logo") == 1 and "logo.png" in page


async def test_an_offer_sent_and_accepted_by_form_opens_the_order_and_take_over_works(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, buyer, gig = await parties(session)
    await sign_in(client, buyer.email)
    thread_url = await write_first(client, gig, "Three foxes, please")
    await sign_in(client, seller.email)
    token = await csrf_token(client)
    taken = await client.post(f"{thread_url}/takeover", data={"csrf_token": token})
    assert taken.status_code == 303
    assert "Hand back to the assistant" in (await client.get(thread_url)).text
    offer = {
        "csrf_token": token,
        "description": "Three fox drawings, print-ready.",
        "delivery_days": "4",
        "revisions": "1",
        "kind": "human",
    }
    too_cheap = await client.post(f"{thread_url}/offers", data={**offer, "price": "0.50"})
    assert too_cheap.status_code == 422  # below the $5 minimum
    offered = await client.post(f"{thread_url}/offers", data={**offer, "price": "60"})
    assert offered.status_code == 303, offered.text

    await sign_in(client, buyer.email)
    page = (await client.get(thread_url)).text
    assert "Custom offer" in page and "$60<" in page
    # Accepting opens the package orders' checkout summary, whose form pays.
    checkout = re.search(rf'action="(/inbox/{ID}/offers/{ID}/checkout)"', page)
    assert checkout, page
    summary = (await client.get(checkout.group(1))).text
    match = re.search(rf'action="(/inbox/{ID}/offers/{ID}/accept)"', summary)
    assert match, summary
    token = await csrf_token(client)
    form = {"csrf_token": token, "idempotency_key": "offer-form-key"}
    short = await client.post(match.group(1), data=form)
    assert short.status_code == 402 and "top up" in short.text.lower()

    api_token = await account_service.issue_api_token(session, buyer)
    await session.commit()
    assert (
        await top_up(client, {"Authorization": f"Bearer {api_token}"}, 10_000)
    ).status_code == 201
    accepted = await client.post(match.group(1), data=form)
    assert accepted.status_code == 303, accepted.text
    assert re.fullmatch(rf"/orders/{ID}\?placed=1", accepted.headers["location"])
    again = await client.post(match.group(1), data=form)  # a double click: the same order
    assert again.headers["location"] == accepted.headers["location"]
    order_page = await client.get(accepted.headers["location"])
    assert "Custom package" in order_page.text and 'id="message-counterparty"' in order_page.text
