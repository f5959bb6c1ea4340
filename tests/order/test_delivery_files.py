"""Files handed over with a delivery: stored once, proved by hash, for the two parties only."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.order.test_orders import funded_buyer, order, seller_with_gig
from tests.web.test_pages import sign_in
from twinwork.config import get_settings
from twinwork.kit.csrf import CSRF_COOKIE
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage

LOGO = b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'/></svg>"
NOTES = b"Notes for the printer: use Pantone 7621 C.\n"
# A 1x1 PNG: a file's type is read from its bytes, so a .png must be one.
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def as_file(name: str, data: bytes, **extra: str) -> dict[str, str]:
    return {"name": name, "content_base64": base64.b64encode(data).decode(), **extra}


async def placed_order(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str], str]:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, brief="A logo")).json()
    return seller, buyer, f"/api/v1/orders/{placed['id']}"


async def test_delivered_files_are_listed_proved_and_downloaded_by_the_parties_only(
    client: httpx.AsyncClient,
) -> None:
    seller, buyer, url = await placed_order(client)
    body = {
        "text": "Two files attached.",
        "files": [as_file("logo.svg", LOGO), as_file("notes for printer.txt", NOTES)],
    }
    delivered = await client.post(f"{url}/deliveries", json=body, headers=seller)
    assert delivered.status_code == 201, delivered.text
    [delivery] = delivered.json()["deliveries"]
    logo, notes = delivery["files"]
    assert (logo["name"], logo["byte_size"], logo["content_type"]) == (
        "logo.svg",
        len(LOGO),
        "image/svg+xml",
    )
    assert logo["sha256"] == hashlib.sha256(LOGO).hexdigest()
    assert notes["name"] == "notes for printer.txt"
    # A name with folders is refused (tests/hostile/test_upload_routes.py).

    download = await client.get(f"{url}/files/{logo['id']}", headers=buyer)
    assert download.status_code == 200 and download.content == LOGO
    assert download.headers["content-disposition"] == "attachment; filename*=UTF-8''logo.svg"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(f"{url}/files/{notes['id']}", headers=seller)).content == NOTES

    _, stranger = await api_signup(client)
    assert (await client.get(f"{url}/files/{logo['id']}", headers=stranger)).status_code == 404
    _, _, other_url = await placed_order(client)
    assert (await client.get(f"{other_url}/files/{logo['id']}", headers=buyer)).status_code == 404


async def test_a_files_type_is_a_plain_media_type_or_bytes(client: httpx.AsyncClient) -> None:
    seller, buyer, url = await placed_order(client)
    files = [
        as_file("page.bin", b"x", content_type="text/html\r\nSet-Cookie: a=b"),
        as_file("photo.png", PIXEL_PNG, content_type="évil/type"),
        as_file("notes", b"x", content_type="TEXT/Plain"),
    ]
    delivered = await client.post(
        f"{url}/deliveries", json={"text": "Files", "files": files}, headers=seller
    )
    assert delivered.status_code == 201, delivered.text
    stored = [f["content_type"] for f in delivered.json()["deliveries"][0]["files"]]
    assert stored == ["application/octet-stream", "image/png", "text/plain"]
    first = delivered.json()["deliveries"][0]["files"][0]["id"]
    download = await client.get(f"{url}/files/{first}", headers=buyer)
    assert download.status_code == 200 and "set-cookie" not in download.headers


async def test_bad_files_deliver_nothing_and_store_nothing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, storage: ObjectStorage
) -> None:
    seller, buyer, url = await placed_order(client)
    order_id = row_id("order", url.rsplit("/", 1)[1])  # storage keys use the row's key
    # Storage outlives each test's rolled-back database, so compare with what was there.
    stored_before = await storage.list(f"orders/{order_id}/")
    monkeypatch.setattr(get_settings(), "delivery_max_files", 2)
    monkeypatch.setattr(get_settings(), "delivery_file_max_bytes", 100)
    for files, message in (
        ([{"name": "a.png", "content_base64": "not base64!"}], "not valid base64"),
        ([as_file("empty.txt", b"")], "content_base64"),
        ([as_file("big.bin", b"x" * 101)], "at most 100 bytes"),
        ([as_file(f"{n}.txt", b"x") for n in range(3)], "at most 2 files"),
    ):
        refused = await client.post(
            f"{url}/deliveries", json={"text": "Here", "files": files}, headers=seller
        )
        assert refused.status_code == 422, refused.text
        assert message in refused.text
    assert (await client.get(url, headers=buyer)).json()["status"] == "in_progress"
    assert await storage.list(f"orders/{order_id}/") == stored_before


async def test_a_delivery_may_be_larger_than_other_requests(client: httpx.AsyncClient) -> None:
    seller, _, url = await placed_order(client)
    audio = bytes(range(256)) * 5_000  # 1.28 MB: over the everyday request limit
    assert len(audio) * 4 // 3 > get_settings().max_request_bytes
    body = {"text": "Narration attached.", "files": [as_file("take-1.pcm", audio)]}
    delivered = await client.post(f"{url}/deliveries", json=body, headers=seller)
    assert delivered.status_code == 201, delivered.text
    too_big = await client.post(
        "/api/v1/gigs", content=b"{" + b" " * 1_100_000 + b"}", headers=seller
    )
    assert too_big.status_code == 413


async def test_freelancer_uploads_files_on_the_order_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = (await order(client, buyer, gig_id, brief="A logo")).json()
    seller_user = (await client.get("/api/v1/me", headers={})).status_code  # signed out: 401
    assert seller_user == 401
    seller_id = placed["freelancer_user_id"]
    from twinwork.account.service import account_service

    seller = await account_service.get(session, row_id("user", seller_id))
    assert seller is not None
    await sign_in(client, seller.email)
    token = client.cookies.get(CSRF_COOKIE)
    delivered = await client.post(
        f"/orders/{placed['id']}/deliver",
        data={"text": "Final files.", "csrf_token": token},
        files=[("files", ("logo.svg", LOGO, "image/svg+xml")), ("files", ("notes.txt", NOTES))],
    )
    assert delivered.status_code == 303, delivered.text
    page = await client.get(f"/orders/{placed['id']}")
    assert "logo.svg" in page.text and "notes.txt" in page.text
    file_ids = [
        f["id"]
        for f in (await client.get(f"/api/v1/orders/{placed['id']}", headers=buyer)).json()[
            "deliveries"
        ][0]["files"]
    ]
    download = await client.get(f"/orders/{placed['id']}/files/{file_ids[0]}")
    assert download.status_code == 200 and download.content == LOGO


async def test_the_admin_weighing_a_dispute_sees_and_downloads_its_files(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    from tests.account.factories import create_user

    seller, buyer, url = await placed_order(client)
    body = {"text": "Logo attached.", "files": [as_file("logo.svg", LOGO)]}
    delivered = (await client.post(f"{url}/deliveries", json=body, headers=seller)).json()
    file_id = delivered["deliveries"][0]["files"][0]["id"]
    opened = await client.post(
        f"{url}/disputes", json={"reason": "The logo is not what we asked for."}, headers=buyer
    )
    dispute_id = opened.json()["dispute"]["id"]
    admin = await create_user(session, roles=("admin",))
    await session.commit()
    await sign_in(client, admin.email)
    page = await client.get(f"/admin/disputes/{dispute_id}")
    assert "logo.svg" in page.text
    got = await client.get(f"/admin/disputes/{dispute_id}/files/{file_id}")
    assert got.status_code == 200 and got.content == LOGO
    assert (await client.get(f"/admin/disputes/{dispute_id}/files/999999")).status_code == 404
