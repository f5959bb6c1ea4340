"""Designs in the portfolio: uploaded through the API or the page, cleaned by ``kit.images``,
stored in object storage, shown to their owner only, deleted with their sample; every hostile
file refused with a 422 that says why, leaving nothing stored."""

from __future__ import annotations

import base64
import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from PIL import Image

from tests.account.factories import api_signup
from tests.web.test_pages import csrf_token, sign_in
from twinwork.config import get_settings
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.ml.design.demo import NAVY, raster_design


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    """Object storage, emptied of portfolio files around each test: user ids come back once a
    test's transaction is rolled back, but stored files stay."""
    storage = make_storage(get_settings())
    await _clear(storage)
    yield storage
    await _clear(storage)


async def _clear(storage: ObjectStorage) -> None:
    for key in await storage.list("portfolio/"):
        await storage.delete(key)


def png(width: int = 40, height: int = 30, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def png_with_exif() -> bytes:
    image = Image.new("RGB", (32, 32), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Secret software 1.0"  # Software
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", exif=exif)
    return buffer.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int, idat: bytes | None = None) -> bytes:
    """A well-formed PNG container (valid checksums) that declares any size."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = idat if idat is not None else zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def decompression_bomb() -> bytes:
    """8,000 x 8,000 grey pixels of zeros: 64 MB once decoded, about 60 kB on the wire."""
    side = 8_000
    return png_declaring(side, side, zlib.compress(b"\x00" * ((side + 1) * side), 9))


def animated_gif() -> bytes:
    frames = [Image.new("P", (20, 20), i) for i in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def svg(body: str, root_attributes: str = "") -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="200" height="100" viewBox="0 0 200 100" {root_attributes}>{body}</svg>'
    ).encode()


CLEAN_SVG = svg(
    '<rect width="200" height="100" fill="#0F1B3D"/>'
    '<text x="10" y="50" fill="#E4572E" font-family="Inter">Sale</text>'
    '<metadata><x xmlns="http://example.com/editor">private</x></metadata>'
)


def image_body(data: bytes, filename: str = "poster.png", **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "image",
        "title": "Autumn poster",
        "filename": filename,
        "content_base64": base64.b64encode(data).decode(),
        "category": "graphic-design",
        "ownership_attested": True,
        "consent_to_train": True,
    }
    body.update(overrides)
    return body


async def freelancer(client: httpx.AsyncClient) -> tuple[dict[str, object], dict[str, str]]:
    return await api_signup(client, roles=("freelancer",), display_name="Dee Signer")


async def stored_keys(storage: ObjectStorage, user: dict[str, object]) -> list[str]:
    return await storage.list(f"portfolio/{row_id('user', user['id'])}/")  # keys keep row ids


async def test_a_design_is_cleaned_stored_and_described_by_its_row(
    client: httpx.AsyncClient, storage: ObjectStorage
) -> None:
    user, headers = await freelancer(client)
    response = await client.post(
        "/api/v1/portfolio/samples", json=image_body(png_with_exif()), headers=headers
    )
    assert response.status_code == 201, response.text
    sample = response.json()
    assert sample["kind"] == "image"
    assert (sample["media_type"], sample["width"], sample["height"]) == ("image/png", 32, 32)
    [key] = await stored_keys(storage, user)
    stored = await storage.get(key)
    assert sample["byte_size"] == len(stored)
    assert sample["content_hash"] == hashlib.sha256(stored).hexdigest()
    # Re-encoded without metadata: the camera's EXIF did not survive.
    assert b"SecretCam" not in stored and b"eXIf" not in stored
    assert sample["thumbnail_url"] == f"/api/v1/portfolio/samples/{sample['id']}/thumbnail"

    again = await client.post(
        "/api/v1/portfolio/samples", json=image_body(png_with_exif()), headers=headers
    )
    assert again.status_code == 409, again.text
    assert len(await stored_keys(storage, user)) == 1


async def test_text_samples_still_go_through_the_same_route(client: httpx.AsyncClient) -> None:
    _, headers = await freelancer(client)
    response = await client.post(
        "/api/v1/portfolio/samples",
        json={
            "title": "Radio spot",
            "content": "Fresh bread at dawn, every day.",
            "category": "copywriting",
            "ownership_attested": True,
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == "text"
    assert response.json()["thumbnail_url"] is None


async def test_thumbnail_is_bounded_and_only_for_the_owner(client: httpx.AsyncClient) -> None:
    _, headers = await freelancer(client)
    design = raster_design(NAVY, size=(900, 600))
    sample = (
        await client.post("/api/v1/portfolio/samples", json=image_body(design), headers=headers)
    ).json()
    url = sample["thumbnail_url"]
    response = await client.get(url, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    with Image.open(io.BytesIO(response.content)) as thumb:
        assert max(thumb.size) <= 320 and thumb.size == (320, 213)

    _, stranger = await freelancer(client)
    refused = await client.get(url, headers=stranger)
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_an_svg_is_served_sanitised_and_can_never_run_script(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await freelancer(client)
    response = await client.post(
        "/api/v1/portfolio/samples",
        json=image_body(CLEAN_SVG, filename="banner.svg"),
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == "image/svg+xml"
    assert (response.json()["width"], response.json()["height"]) == (200, 100)
    served = await client.get(response.json()["thumbnail_url"], headers=headers)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("image/svg+xml")
    csp = served.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    assert served.headers["content-disposition"].startswith("attachment")
    assert b"<metadata" not in served.content and b"example.com" not in served.content
    assert b"<rect" in served.content


async def test_deleting_a_design_deletes_its_stored_file(
    client: httpx.AsyncClient, storage: ObjectStorage
) -> None:
    user, headers = await freelancer(client)
    sample = (
        await client.post("/api/v1/portfolio/samples", json=image_body(png()), headers=headers)
    ).json()
    [key] = await stored_keys(storage, user)
    response = await client.delete(f"/api/v1/portfolio/samples/{sample['id']}", headers=headers)
    assert response.status_code == 204
    assert not await storage.exists(key)
    assert await stored_keys(storage, user) == []


HOSTILE_SVG_SCRIPT = svg('<script>alert(document.cookie)</script><rect width="5" height="5"/>')
HOSTILE_SVG_ONLOAD = svg('<rect width="5" height="5"/>', 'onload="alert(1)"')
HOSTILE_SVG_HREF = svg('<image href="https://evil.example/track.png" width="5" height="5"/>')
HOSTILE_SVG_XLINK = svg('<a xlink:href="https://evil.example/"><rect width="5" height="5"/></a>')


def polyglot() -> bytes:
    """A PNG with a ZIP archive riding after its end: other programs open it as the ZIP."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.html", "<script>alert(1)</script>" * 10)
    return png() + archive.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        pytest.param(decompression_bomb(), "bomb.png", "megapixels", id="decompression-bomb"),
        pytest.param(png_declaring(0, 0), "empty.png", "0x0", id="zero-by-zero"),
        pytest.param(png_declaring(30_000, 10), "wide.png", "20,000", id="30000-px-side"),
        pytest.param(HOSTILE_SVG_SCRIPT, "script.svg", "<script>", id="svg-script"),
        pytest.param(HOSTILE_SVG_ONLOAD, "onload.svg", "onload", id="svg-onload"),
        pytest.param(HOSTILE_SVG_HREF, "href.svg", "outside resource", id="svg-external-href"),
        pytest.param(HOSTILE_SVG_XLINK, "xlink.svg", "outside resource", id="svg-xlink-href"),
        pytest.param(polyglot(), "polyglot.png", "other data", id="polyglot"),
        pytest.param(animated_gif(), "animated.png", "GIF", id="animated-gif-named-png"),
        pytest.param(b"just some text, not a picture", "notes.png", "not an image", id="not-image"),
    ],
)
async def test_hostile_files_are_refused_with_a_reason_and_nothing_stored(
    client: httpx.AsyncClient,
    storage: ObjectStorage,
    data: bytes,
    filename: str,
    reason: str,
) -> None:
    user, headers = await freelancer(client)
    response = await client.post(
        "/api/v1/portfolio/samples", json=image_body(data, filename=filename), headers=headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert reason in response.json()["detail"]
    assert await stored_keys(storage, user) == []
    listed = (await client.get("/api/v1/portfolio/samples", headers=headers)).json()
    assert listed["total"] == 0


async def test_invalid_base64_is_a_clear_422(client: httpx.AsyncClient) -> None:
    _, headers = await freelancer(client)
    body = image_body(png(), content_base64="not*base64!")
    response = await client.post("/api/v1/portfolio/samples", json=body, headers=headers)
    assert response.status_code == 422
    assert "base64" in response.json()["detail"]


async def test_a_design_needs_the_ownership_attestation(
    client: httpx.AsyncClient, storage: ObjectStorage
) -> None:
    user, headers = await freelancer(client)
    body = image_body(png(), ownership_attested=False)
    response = await client.post("/api/v1/portfolio/samples", json=body, headers=headers)
    assert response.status_code == 422
    assert await stored_keys(storage, user) == []


async def test_page_upload_shows_the_thumbnail_and_how_many_designs_are_needed(
    client: httpx.AsyncClient, storage: ObjectStorage
) -> None:
    user, _headers = await freelancer(client)
    await sign_in(client, str(user["email"]))
    page = await client.get("/dashboard/portfolio")
    assert page.status_code == 200
    assert "add 8 more" in page.text
    response = await client.post(
        "/dashboard/portfolio/samples",
        data={
            "csrf_token": await csrf_token(client),
            "kind": "image",
            "title": "Spring poster",
            "category": "graphic-design",
            "ownership_attested": "on",
            "consent_to_train": "on",
        },
        files={"file": ("spring.png", png(64, 64), "image/png")},
    )
    assert response.status_code == 303, response.text
    page = await client.get("/dashboard/portfolio")
    assert "Spring poster" in page.text
    assert "add 7 more" in page.text
    [key] = await stored_keys(storage, user)
    listed = (await client.get("/api/v1/portfolio/samples", headers=_headers)).json()
    [sample] = listed["items"]
    assert listed["designs_consented"] == 1 and listed["designs_needed"] == 7
    thumb_url = f"/dashboard/portfolio/samples/{sample['id']}/thumbnail"
    assert thumb_url in page.text
    thumb = await client.get(thumb_url)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    assert key.endswith(".png")

    refused = await client.post(
        "/dashboard/portfolio/samples",
        data={
            "csrf_token": await csrf_token(client),
            "kind": "image",
            "category": "graphic-design",
            "ownership_attested": "on",
        },
        files={"file": ("evil.svg", HOSTILE_SVG_SCRIPT, "image/svg+xml")},
    )
    assert refused.status_code == 422
    assert "scripts are not allowed" in refused.text
    assert len(await stored_keys(storage, user)) == 1
