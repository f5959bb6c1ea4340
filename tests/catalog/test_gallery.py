"""Gig galleries and avatars: cleaned, resized, ordered, refused with reasons, and shown."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from tests.catalog.factories import create_gig, row_id_links
from tests.portfolio.test_image_samples import animated_gif, image_body, svg
from tests.web.test_pages import csrf_token, signed_in_user
from twinwork.account.models import User
from twinwork.catalog.gallery.service import GALLERY_MAX_IMAGES, gallery_service
from twinwork.catalog.models import Gig
from twinwork.config import get_settings
from twinwork.kit.public_ids import public_id, row_id
from twinwork.kit.storage import ObjectStorage, make_storage


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    storage = make_storage(get_settings())
    yield storage
    for prefix in ("gigs/", "avatars/", "portfolio/"):
        for key in await storage.list(prefix):
            await storage.delete(key)


def photo(
    width: int = 2400, height: int = 1600, color: tuple[int, int, int] = (30, 90, 160)
) -> bytes:
    """A JPEG photo carrying EXIF a camera writes (its make and a GPS block)."""
    image = Image.new("RGB", (width, height), color)
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}  # GPS: latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=80)
    return buffer.getvalue()


async def upload(
    client: httpx.AsyncClient, gig_id: int, data: bytes, name: str = "photo.jpg", alt: str = ""
) -> httpx.Response:
    return await client.post(
        f"/dashboard/gigs/{public_id('gig', gig_id)}/gallery",
        data={"csrf_token": await csrf_token(client), "alt_text": alt},
        files={"file": (name, data, "application/octet-stream")},
    )


async def act(client: httpx.AsyncClient, gig: Gig, image_id: int, action: str) -> httpx.Response:
    return await client.post(
        f"/dashboard/gigs/{gig.public_id}/gallery/{public_id('image', image_id)}/{action}",
        data={"csrf_token": await csrf_token(client)},
    )


async def owner_with_gig(
    client: httpx.AsyncClient, session: AsyncSession, **gig: object
) -> tuple[User, Gig]:
    owner = await signed_in_user(client, session)
    made = await create_gig(session, owner, **gig)
    await session.commit()
    return owner, made


async def test_an_uploaded_photo_is_resized_stripped_and_becomes_the_card_image(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    _owner, gig = await owner_with_gig(client, session)
    response = await upload(client, gig.id, photo(), alt="A bakery logo on a paper bag")
    assert response.status_code == 303, response.text
    [image] = await gallery_service.images(session, gig.id)
    await session.refresh(gig)
    assert gig.cover_image_id == image.id

    large = await client.get(f"/gig-images/{image.public_id}")
    card = await client.get(f"/gig-images/{image.public_id}?size=card")
    assert large.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(large.content)) as opened:
        assert opened.size == (1280, 853)
        assert not opened.getexif() and "exif" not in opened.info
    with Image.open(io.BytesIO(card.content)) as opened:
        assert max(opened.size) == 640
    assert b"SecretCam" not in large.content + card.content
    assert len(await storage.list(f"gigs/{gig.id}/")) == 2

    anonymous = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with anonymous:
        seen = await anonymous.get(f"/gig-images/{image.public_id}?size=card")
    assert seen.content == card.content and "public" in seen.headers["cache-control"]
    page = await client.get(f"/gigs/{gig.public_id}")
    assert f'src="/gig-images/{image.public_id}"' in page.text
    assert 'alt="A bakery logo on a paper bag"' in page.text
    results = await client.get("/search", params={"q": "bakery"})
    assert f'src="/gig-images/{image.public_id}?size=card"' in results.text
    answer = (await client.get(f"/api/v1/gigs/{gig.public_id}")).json()
    assert answer["id"] == gig.public_id and answer["cover_image_id"] == image.public_id


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (animated_gif(), "moving.gif", "GIFs are not accepted"),
        (svg('<rect width="10" height="10"/>'), "logo.svg", "SVG drawings cannot be used"),
        (b"%PDF-1.7 not a picture", "brief.pdf", "not an image we accept"),
        (photo(120, 90), "tiny.jpg", "at least 200 pixels"),
        (photo(), "photo.png", "named .png but its content is a JPEG"),
        (b"", "empty.jpg", "choose"),
    ],
)
async def test_refused_pictures_say_why_and_leave_nothing_stored(
    client: httpx.AsyncClient,
    session: AsyncSession,
    storage: ObjectStorage,
    data: bytes,
    name: str,
    reason: str,
) -> None:
    _owner, gig = await owner_with_gig(client, session)
    response = await upload(client, gig.id, data, name)
    assert response.status_code in (400, 422), response.text
    assert reason.lower() in response.text.lower()
    assert 'id="gallery-error"' in response.text
    assert await storage.list(f"gigs/{gig.id}/") == []
    assert await gallery_service.images(session, gig.id) == []


async def test_a_picture_over_the_size_limit_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    _owner, gig = await owner_with_gig(client, session)
    # Random pixels do not compress: a 2,400 x 2,000 PNG of noise is about 14 MB.
    noise = Image.frombytes("RGB", (2400, 2000), bytes(range(256)) * (2400 * 2000 * 3 // 256))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG", compress_level=0)
    response = await upload(client, gig.id, buffer.getvalue(), "big.png")
    assert response.status_code == 422 and "at most 10 MB" in response.text
    assert await storage.list(f"gigs/{gig.id}/") == []


async def test_a_gallery_holds_a_limited_number_and_no_duplicates(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    _owner, gig = await owner_with_gig(client, session)
    for n in range(GALLERY_MAX_IMAGES):
        assert (await upload(client, gig.id, photo(400, 300, (n * 20, 80, 80)))).status_code == 303
    full = await upload(client, gig.id, photo(400, 300, (250, 250, 0)))
    assert full.status_code == 409 and f"at most {GALLERY_MAX_IMAGES} pictures" in full.text
    first = (await gallery_service.images(session, gig.id))[0]
    await act(client, gig, first.id, "remove")
    again = await upload(client, gig.id, photo(400, 300, (20, 80, 80)))
    assert again.status_code == 409 and "in the gallery already" in again.text


async def test_pictures_are_reordered_and_removed_and_the_card_image_follows(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    _owner, gig = await owner_with_gig(client, session)
    for color in ((200, 0, 0), (0, 200, 0), (0, 0, 200)):
        await upload(client, gig.id, photo(400, 300, color))
    red, green, blue = await gallery_service.images(session, gig.id)

    assert (await act(client, gig, blue.id, "first")).status_code == 303
    assert [i.id for i in await gallery_service.images(session, gig.id)] == [
        blue.id,
        red.id,
        green.id,
    ]
    await act(client, gig, green.id, "up")  # blue, green, red
    await act(client, gig, blue.id, "down")  # green, blue, red
    assert [i.id for i in await gallery_service.images(session, gig.id)] == [
        green.id,
        blue.id,
        red.id,
    ]
    await session.refresh(gig)
    assert gig.cover_image_id == green.id

    keys = (green.large_key, green.card_key)
    assert (await act(client, gig, green.id, "remove")).status_code == 303
    await session.refresh(gig)
    assert gig.cover_image_id == blue.id
    assert not any([await storage.exists(key) for key in keys])
    assert (await client.get(f"/gig-images/{green.public_id}")).status_code == 404
    editor = await client.get(f"/dashboard/gigs/{gig.public_id}/edit")
    assert editor.text.count('class="gallery-editor-item"') == 2
    assert "Card image" in editor.text


async def test_a_design_from_the_portfolio_can_join_the_gallery(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    _owner, gig = await owner_with_gig(client, session)
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), (240, 200, 40)).save(buffer, format="PNG")
    import base64

    body = image_body(buffer.getvalue(), title="Sunny poster")
    added = await client.post(
        "/dashboard/portfolio/samples",
        data={
            "csrf_token": await csrf_token(client),
            "kind": "image",
            "title": str(body["title"]),
            "category": "graphic-design",
            "ownership_attested": "on",
        },
        files={"file": ("sunny.png", base64.b64decode(str(body["content_base64"])), "image/png")},
    )
    assert added.status_code == 303, added.text
    editor = await client.get(f"/dashboard/gigs/{gig.public_id}/edit")
    [sample_id] = re.findall(r'name="sample_id" value="([a-z2-7]{26})"', editor.text)
    chosen = await client.post(
        f"/dashboard/gigs/{gig.public_id}/gallery/from-portfolio",
        data={"csrf_token": await csrf_token(client), "sample_id": sample_id},
    )
    assert chosen.status_code == 303, chosen.text
    [image] = await gallery_service.images(session, gig.id)
    assert (image.portfolio_sample_id, image.alt_text) == (
        row_id("sample", sample_id),
        "Sunny poster",
    )
    editor = await client.get(f"/dashboard/gigs/{gig.public_id}/edit")
    assert "(in the gallery)" in editor.text and "from your portfolio" in editor.text
    assert row_id_links(editor.text) == []
    assert row_id_links((await client.get(f"/gigs/{gig.public_id}")).text) == []


async def test_a_draft_gigs_pictures_are_its_owners_alone(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    _owner, gig = await owner_with_gig(client, session, status="draft")
    await upload(client, gig.id, photo(400, 300))
    [image] = await gallery_service.images(session, gig.id)
    mine = await client.get(f"/gig-images/{image.public_id}")
    assert mine.status_code == 200 and "no-store" in mine.headers["cache-control"]
    client.cookies.clear()
    assert (await client.get(f"/gig-images/{image.public_id}")).status_code == 404


async def test_an_avatar_is_cropped_square_and_shown_on_the_profile(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    owner, _gig = await owner_with_gig(client, session)
    response = await client.post(
        "/dashboard/profile/avatar",
        data={"csrf_token": await csrf_token(client)},
        files={"file": ("me.jpg", photo(900, 600), "image/jpeg")},
    )
    assert response.status_code == 303, response.text
    dashboard = await client.get("/dashboard/freelancer")
    handle = re.search(r'href="/freelancers/([^"]+)"', dashboard.text)
    assert handle
    profile = await client.get(f"/freelancers/{handle.group(1)}")
    assert "avatar-picture" in profile.text
    picture = await client.get(f"/freelancers/{handle.group(1)}/avatar")
    with Image.open(io.BytesIO(picture.content)) as opened:
        assert opened.size == (256, 256) and not opened.getexif()

    refused = await client.post(
        "/dashboard/profile/avatar",
        data={"csrf_token": await csrf_token(client)},
        files={"file": ("me.gif", animated_gif(), "image/gif")},
    )
    assert refused.status_code == 422 and 'id="avatar-error"' in refused.text
    assert len(await storage.list(f"avatars/{owner.id}/")) == 1

    await client.post(
        "/dashboard/profile/avatar", data={"csrf_token": await csrf_token(client), "remove": "1"}
    )
    assert await storage.list(f"avatars/{owner.id}/") == []
    assert (await client.get(f"/freelancers/{handle.group(1)}/avatar")).status_code == 404
