"""Files sent with messages: the type is judged by the content, size and count are limited,
and a refused file stores nothing at all."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from tests.inbox.factories import CONVERSATIONS, gig_conversation, read, send
from twinwork.config import get_settings
from twinwork.kit.storage import make_storage


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 20)).save(buffer, "PNG")
    return buffer.getvalue()


async def stored_keys() -> set[str]:
    """Every attachment in storage (ids repeat across rolled-back tests: compare sets)."""
    return set(await make_storage(get_settings()).list("inbox/"))


async def test_a_picture_and_a_pdf_are_stored_and_served_as_downloads(
    client: httpx.AsyncClient,
) -> None:
    seller, buyer, _, conversation = await gig_conversation(client)
    before = await stored_keys()
    picture, pdf = png(), b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    sent = await send(
        client, buyer, conversation["id"], "My sketch", [("sketch.png", picture), ("brief", pdf)]
    )
    assert sent.status_code == 201, sent.text
    files = sent.json()["messages"][-1]["attachments"]
    assert [(f["name"], f["content_type"], f["byte_size"]) for f in files] == [
        ("sketch.png", "image/png", len(picture)),
        ("brief", "application/pdf", len(pdf)),
    ]
    url = f"{CONVERSATIONS}/{conversation['id']}/attachments/{files[0]['id']}"
    download = await client.get(url, headers=seller)
    assert download.status_code == 200 and download.content == picture
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert len(await stored_keys() - before) == 2
    # Files only with no text are a message too.
    assert (
        await send(client, seller, conversation["id"], "", [("fox.png", picture)])
    ).status_code == 201


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 8, "not a type"),
        ("photo.png", b"just some text pretending", "named .png"),
        ("photo.png", png()[:-20], "incomplete"),
        ("invoice.pdf", png(), "named .pdf"),
        ("page.html", b"<html><script>alert(1)</script></html>", "named .html"),
        ("photo.png", png() + b"PK\x03\x04" + b"\x00" * 100, "other data"),
    ],
    ids=["binary", "text-as-png", "truncated-png", "png-as-pdf", "html", "polyglot"],
)
async def test_files_that_are_not_what_they_claim_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, name: str, data: bytes, says: str
) -> None:
    _, buyer, _, conversation = await gig_conversation(client)
    files = [("fine.png", png()), (name, data)]
    before = await stored_keys()
    refused = await send(client, buyer, conversation["id"], "Two files", files)
    assert refused.status_code == 422, refused.text
    assert says in refused.json()["detail"]
    assert await stored_keys() == before
    assert (await read(client, buyer, conversation["id"])).json()["total_messages"] == 1


async def test_a_file_over_the_size_limit_or_too_many_files_are_refused(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "inbox_attachment_max_bytes", 1000)
    monkeypatch.setattr(get_settings(), "inbox_attachment_max_files", 2)
    _, buyer, _, conversation = await gig_conversation(client)
    before = await stored_keys()
    big = await send(client, buyer, conversation["id"], "Big", [("notes.txt", b"a" * 1001)])
    assert big.status_code == 422 and "at most 1,000 bytes" in big.json()["detail"]
    many = await send(
        client, buyer, conversation["id"], "Many", [(f"{n}.txt", b"note") for n in range(3)]
    )
    assert many.status_code == 422 and "at most 2 files" in many.json()["detail"]
    assert await stored_keys() == before
    ok = await send(client, buyer, conversation["id"], "Small", [("notes.txt", b"a" * 1000)])
    assert ok.status_code == 201
