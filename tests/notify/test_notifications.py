"""Notifications: producers in orders and billing, the bell, the page, the e-mail port."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup, create_user
from tests.order.test_orders import funded_buyer, order, seller_with_gig
from tests.web.test_pages import csrf_token, sign_in
from twinwork.account.models import User
from twinwork.billing.payout.service import earnings_service
from twinwork.billing.payout.transfer import send_payout_now
from twinwork.config import Settings
from twinwork.kit import public_ids
from twinwork.kit.db import utcnow
from twinwork.notify.email import email_notification, mail_of
from twinwork.notify.mail import OutboxMailer, SmtpMailer, make_mailer, message_of
from twinwork.notify.models import Notification, NotificationKind
from twinwork.notify.service import notification_service, notify
from twinwork.order.models import Order


async def kinds_of(session: AsyncSession, user_id: object) -> list[str]:
    """The kinds of the notifications of the user the API calls ``user_id`` (a public id)."""
    row = public_ids.row_id("user", user_id)
    result = await session.scalars(
        select(Notification.kind).where(Notification.user_id == row).order_by(Notification.id)
    )
    return [str(kind) for kind in result]


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, object]:
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_every_step_of_an_order_notifies_the_other_party(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    seller_id, buyer_id = (await me(client, seller))["id"], (await me(client, buyer))["id"]
    placed = await order(client, buyer, gig_id, kind="human", brief="A logo for my bakery")
    url = f"/api/v1/orders/{placed.json()['id']}"
    assert await kinds_of(session, seller_id) == ["new_order"]

    await client.post(f"{url}/deliveries", json={"text": "Draft one"}, headers=seller)
    assert await kinds_of(session, buyer_id) == ["delivery"]
    await client.post(f"{url}/revisions", json={"message": "Bigger"}, headers=buyer)
    await client.post(f"{url}/deliveries", json={"text": "Bigger now"}, headers=seller)
    accepted = await client.post(f"{url}/accept", headers=buyer)
    assert accepted.status_code == 200, accepted.text
    assert await kinds_of(session, seller_id) == ["new_order", "revision_request", "sale"]
    assert await kinds_of(session, buyer_id) == ["delivery", "delivery"]

    listed = (await client.get("/api/v1/notifications", headers=seller)).json()
    assert (listed["total"], listed["unread"]) == (3, 3)
    sale = listed["items"][0]
    # $45 sale, 20% fee: the freelancer reads what they earn and what the fee was.
    assert (
        sale["kind"] == "sale" and "earned $36 " in sale["text"] and "$9 platform" in sale["text"]
    )
    assert sale["link"] == "/dashboard/earnings"
    assert listed["items"][2]["link"] == f"/orders/{placed.json()['id']}"


async def test_disputes_notify_the_freelancer_and_both_parties_on_resolution(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    seller_id, buyer_id = (await me(client, seller))["id"], (await me(client, buyer))["id"]
    placed = await order(client, buyer, gig_id, kind="human", brief="A logo")
    url = f"/api/v1/orders/{placed.json()['id']}"
    opened = await client.post(
        f"{url}/disputes", json={"reason": "Nothing arrived in time."}, headers=buyer
    )
    assert opened.status_code == 201, opened.text
    assert await kinds_of(session, seller_id) == ["new_order", "dispute"]

    from twinwork.order.dispute import dispute_service

    admin = await create_user(session, roles=("admin",))
    order_row = await session.get(Order, public_ids.row_id("order", placed.json()["id"]))
    assert order_row is not None
    found = await dispute_service.latest_of(session, order_row)
    assert found is not None
    dispute = await dispute_service.resolve(session, admin, found.id, 4500, "Refunded")
    assert dispute.status == "resolved"
    assert await kinds_of(session, seller_id) == ["new_order", "dispute", "dispute"]
    assert await kinds_of(session, buyer_id) == ["dispute"]
    # A full refund is no sale: the freelancer is not told they earned $0.00.
    assert "sale" not in await kinds_of(session, seller_id)


async def test_a_paid_payout_notifies_its_freelancer(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = await order(client, buyer, gig_id, kind="human", brief="A logo")
    url = f"/api/v1/orders/{placed.json()['id']}"
    await client.post(f"{url}/deliveries", json={"text": "Done"}, headers=seller)
    await client.post(f"{url}/accept", headers=buyer)
    await earnings_service.clear_due(session, utcnow() + timedelta(days=8))
    await session.commit()
    requested = await client.post("/api/v1/payouts", json={"amount": 3600}, headers=seller)
    assert requested.status_code == 201, requested.text
    payout_id = public_ids.row_id("payout", requested.json()["id"])
    assert await send_payout_now(sessionmaker, payout_id) == "paid"
    items = (await client.get("/api/v1/notifications", headers=seller)).json()["items"]
    assert items[0]["kind"] == "payout" and "$36 was sent" in items[0]["text"]


async def test_a_retried_producer_notifies_once_and_links_stay_inside_the_site(
    session: AsyncSession,
) -> None:
    user = await create_user(session)
    first = await notify(session, user.id, NotificationKind.SALE, "Sold", "/x", key="sale:1")
    again = await notify(session, user.id, NotificationKind.SALE, "Sold", "/x", key="sale:1")
    assert first is not None and again is None
    assert await notification_service.unread_count(session, user.id) == 1
    with pytest.raises(ValueError, match="inside the site"):
        await notify(session, user.id, NotificationKind.SALE, "Sold", "https://evil.test/")


async def test_each_notification_is_emailed_once_through_the_port(
    session: AsyncSession, tmp_path: Path
) -> None:
    user = await create_user(session, email="mail-me@example.test")
    made = await notify(
        session, user.id, NotificationKind.NEW_ORDER, "New order #7 from Bo.", "/orders/7"
    )
    assert made is not None
    outbox = OutboxMailer(tmp_path, "twinwork <no-reply@twinwork.test>")
    assert await email_notification(session, made.id, outbox) is True
    assert await email_notification(session, made.id, outbox) is False  # sent already
    [sent] = list(tmp_path.glob("*.eml"))
    message = email.message_from_bytes(sent.read_bytes())
    assert message["To"] == "mail-me@example.test"
    assert message["Subject"] == "New order: New order #7 from Bo."
    assert "/orders/7" in message.get_payload() and made.emailed_at is not None


def test_a_subject_never_splits_the_headers() -> None:
    notification = Notification(
        kind=NotificationKind.DISPUTE, text="Line\r\nBcc: victim@example.test", link=""
    )
    message = message_of(mail_of(notification, "to@example.test"), "from@example.test")
    assert message["Bcc"] is None
    assert str(message["Subject"]) == "Dispute: Line Bcc: victim@example.test"


def test_the_mail_port_is_chosen_by_settings(tmp_path: Path) -> None:
    assert isinstance(make_mailer(Settings(data_dir=tmp_path)), OutboxMailer)
    smtp = make_mailer(
        Settings(data_dir=tmp_path, smtp_url="smtps://me%40x.test:s%3Dcret@mail.test")
    )
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.host, smtp.port, smtp.username, smtp.password) == (
        "mail.test",
        465,
        "me@x.test",
        "s=cret",
    )
    with pytest.raises(ValueError, match="smtp://"):
        make_mailer(Settings(data_dir=tmp_path, smtp_url="http://mail.test"))


# ---- pages -------------------------------------------------------------------------------


async def test_the_bell_counts_unread_and_the_page_marks_them_read(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    for brief in ("One logo", "Another logo"):
        await order(client, buyer, gig_id, kind="human", brief=brief)
    await sign_in(client, str((await me(client, seller))["email"]))

    home = await client.get("/")
    assert 'aria-label="Notifications, 2 unread"' in home.text
    assert 'class="nav-bell-count" aria-hidden="true">2<' in home.text

    page = await client.get("/notifications")
    assert page.status_code == 200 and page.text.count("notification-unread") == 2
    notification_id = re.findall(r'href="/notifications/([a-z2-7]{26})"', page.text)[0]
    opened = await client.get(f"/notifications/{notification_id}")
    assert opened.status_code == 303 and opened.headers["location"].startswith("/orders/")
    assert 'aria-label="Notifications, 1 unread"' in (await client.get("/")).text

    marked = await client.post("/notifications/read", data={"csrf_token": await csrf_token(client)})
    assert marked.status_code == 303
    after = await client.get("/notifications")
    assert "notification-unread" not in after.text and "Mark all as read" not in after.text
    assert 'aria-label="Notifications"' in after.text


async def test_the_page_has_an_empty_state_and_pages(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, roles=("freelancer",))
    await session.commit()
    await sign_in(client, user.email)
    empty = await client.get("/notifications")
    assert "No notifications yet" in empty.text
    assert (await client.get("/notifications?page=2")).status_code == 404
    for n in range(23):
        await notify(session, user.id, NotificationKind.SALE, f"Sale number {n}", "/dashboard")
    await session.commit()
    first = await client.get("/notifications")
    assert "Sale number 22" in first.text and "Sale number 2<" not in first.text
    second = await client.get("/notifications?page=2")
    assert "Sale number 2<" in second.text and "Sale number 22" not in second.text


async def test_someone_elses_notification_is_a_404(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    owner = await create_user(session)
    made = await notify(session, owner.id, NotificationKind.SALE, "Mine", "/dashboard")
    assert made is not None
    stranger_json, _ = await api_signup(client)
    await session.commit()
    await sign_in(client, str(stranger_json["email"]))
    assert (await client.get(f"/notifications/{made.public_id}")).status_code == 404
    await session.refresh(made)
    assert made.read_at is None


async def test_notifications_are_named_by_public_ids_and_a_row_id_names_none(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_json, headers = await api_signup(client)
    user = await session.get(User, public_ids.row_id("user", user_json["id"]))
    assert user is not None
    made = await notify(session, user.id, NotificationKind.SALE, "Sold", "/dashboard/earnings")
    assert made is not None
    await session.commit()
    [item] = (await client.get("/api/v1/notifications", headers=headers)).json()["items"]
    assert re.fullmatch(public_ids.PATTERN, item["id"]) and item["id"] == made.public_id

    await sign_in(client, str(user_json["email"]))
    page = (await client.get("/notifications")).text
    assert f'href="/notifications/{made.public_id}"' in page
    assert not re.search(r"/notifications/\d+\b", page)
    assert (await client.get(f"/notifications/{made.id}")).status_code == 404
    await session.refresh(made)
    assert made.read_at is None
    opened = await client.get(f"/notifications/{made.public_id}")
    assert opened.status_code == 303 and opened.headers["location"] == "/dashboard/earnings"
