"""Every upload route against the hostile corpus (tests/hostile/corpus.py).

Which routes take files is read from the app itself: a route whose path the request guard's
``UPLOAD_PATHS`` lets carry large bodies, or whose handler reads an ``UploadFile`` or base64
file content, is an upload route, and ``COVERED`` must name the test below that runs it
against the corpus. A new upload route without one fails
``test_every_upload_route_is_run_against_the_corpus``.

Each hostile file must be refused with a clear message (a problem+json ``detail`` from the
API, a ``role="alert"`` message on the page) and leave nothing behind: no new row in any table
and no new object in storage. A body over the upload limit sent in chunks, without a
Content-Length, is refused by the guard with a 413 before any handler runs.
"""

from __future__ import annotations

import base64
import inspect
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.generation import tiles as tiles_module
from tests.generation.test_file_outputs import BRIEF, OPTIONS, tiles_model
from tests.generation.tiles import Tiles, registered
from tests.hostile.corpus import Hostile, corpus
from tests.inbox.factories import gig_conversation
from tests.order.test_orders import funded_buyer, order, seller_with_gig
from tests.portfolio.voice_factories import SCRIPT, audio_body, encoded
from tests.trends.test_routes import admin_headers
from tests.web.test_authorisation import kind_of, public
from tests.web.test_pages import csrf_token, sign_in, signed_in_user
from twinwork.catalog.gallery.service import gallery_service
from twinwork.catalog.models import FreelancerProfile
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.kit.db import Base
from twinwork.kit.storage import ObjectStorage
from twinwork.web.app import UPLOAD_PATHS

# (method, path) of every upload route -> the test below that runs it against the corpus.
COVERED: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/portfolio/samples"): "test_portfolio_samples_api",
    ("POST", "/dashboard/portfolio/samples"): "test_portfolio_samples_page",
    ("POST", "/api/v1/orders/{order_id}/deliveries"): "test_order_deliveries_api",
    ("POST", "/orders/{order_id}/{action}"): "test_order_delivery_page",
    ("POST", "/api/v1/conversations"): "test_inbox_api",
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): "test_inbox_api",
    ("POST", "/inbox"): "test_inbox_pages",
    ("POST", "/inbox/{conversation_id}/messages"): "test_inbox_pages",
    ("POST", "/api/v1/models/{model_id}/voice-verification"): "test_voice_verification",
    ("POST", "/dashboard/models/{model_id}/voice/verification"): "test_voice_verification",
    ("POST", "/api/v1/models/{model_id}/generations"): "test_generation_attachments",
    ("POST", "/models/{model_id}/generate"): "test_generation_attachments",
    ("POST", "/api/v1/models/{model_id}/generations/stream"): "test_generation_attachments",
    ("POST", "/models/{model_id}/generate/stream"): "test_generation_attachments",
    ("POST", "/dashboard/gigs/{gig_id}/gallery"): "test_gallery_and_avatar",
    ("POST", "/dashboard/profile/avatar"): "test_gallery_and_avatar",
    ("POST", "/api/v1/admin/search-events:import"): "test_search_history_import",
}

# What in a handler (or a helper of its module it calls) means it reads a file.
_READS_FILES = re.compile(r"UploadFile|content_base64|decode_base64")


def _sample_path(path: str, **values: str) -> str:
    """``path`` with each row's parameter filled with a public id of its kind, others from
    ``values`` or 1."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if name.endswith("_id"):
            return public(kind_of(name), 1)
        return "1"

    return re.sub(r"\{(\w+)\}", fill, path)


def _module_source(endpoint: Callable[..., Any]) -> str:
    """The handler's source and that of the functions of its module it calls, two deep."""
    module = inspect.getmodule(endpoint)
    seen: set[str] = set()
    sources: list[str] = []
    todo = [endpoint]
    for _ in range(3):
        following = []
        for function in todo:
            try:
                source = inspect.getsource(inspect.unwrap(function))
            except (OSError, TypeError):
                continue
            sources.append(source)
            for name in re.findall(r"\b(\w+)\(", source):
                found = getattr(module, name, None)
                if inspect.isfunction(found) and name not in seen:
                    seen.add(name)
                    following.append(found)
        todo = following
    return "\n".join(sources)


def _body_schema(route: APIRoute) -> str:
    """The JSON schema of the route's body, as text ("" without one)."""
    field = route.body_field
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    if annotation is None or not hasattr(annotation, "model_json_schema"):
        return ""
    return json.dumps(annotation.model_json_schema())


def upload_routes(app: Any) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        for method in set(route.methods or ()) - {"GET", "HEAD"}:
            by_path = UPLOAD_PATHS.fullmatch(_sample_path(route.path)) is not None
            endpoint = route.original_route.endpoint
            by_body = "base64" in _body_schema(route.original_route)
            if by_path or by_body or _READS_FILES.search(_module_source(endpoint)):
                found.add((method, route.path))
    return found


def test_every_upload_route_is_run_against_the_corpus(app: Any) -> None:
    found = upload_routes(app)
    missing = sorted(found - set(COVERED))
    assert not missing, f"upload routes no test runs against the corpus: {missing}"
    gone = sorted(set(COVERED) - found)
    assert not gone, f"COVERED names routes that take no files (any more): {gone}"
    tests = {name for name in globals() if name.startswith("test_")}
    assert set(COVERED.values()) <= tests


# Routes that read files but keep the everyday request limit on purpose (a CSV import is
# split by its sender, trends.routes says so); every other may carry upload-sized bodies.
EVERYDAY_LIMIT = {("POST", "/api/v1/admin/search-events:import")}


def test_every_upload_route_may_carry_upload_sized_bodies() -> None:
    narrow = sorted(
        (method, path)
        for method, path in set(COVERED) - EVERYDAY_LIMIT
        if UPLOAD_PATHS.fullmatch(_sample_path(path, action="deliver")) is None
    )
    assert not narrow, f"add these to web.app.UPLOAD_PATHS (the guard's larger limit): {narrow}"


def test_only_upload_routes_may_carry_upload_sized_bodies() -> None:
    """The larger limit is for a row named by an id, not for any text in its place."""
    for path in ("/orders/{order_id}/deliver", "/inbox/{conversation_id}/messages"):
        assert UPLOAD_PATHS.fullmatch(_sample_path(path))
        assert not UPLOAD_PATHS.fullmatch(_sample_path(path, order_id="../x", conversation_id="x"))
    assert not UPLOAD_PATHS.fullmatch("/orders/1/accept")
    assert not UPLOAD_PATHS.fullmatch("/orders/1/deliver")  # a row id names no order


def test_the_corpus_holds_every_kind_of_attack() -> None:
    names = {h.name for h in corpus()}
    for kind in ("bomb", "svg", "polyglot", "executable", "non-utf-8", "path traversal"):
        assert any(kind in name for name in names), kind


# ---- what "refused, nothing stored" means ------------------------------------------------


@pytest.fixture
async def storage(app: Any) -> AsyncIterator[ObjectStorage]:
    store: ObjectStorage = app.state.storage
    yield store


async def _counts(session: AsyncSession) -> dict[str, int]:
    tables = [table.name for table in Base.metadata.sorted_tables]
    query = " UNION ALL ".join(
        f"SELECT '{name}' AS name, COUNT(*) AS n FROM \"{name}\"" for name in tables
    )
    rows = (await session.execute(text(query))).all()
    return {str(name): int(n) for name, n in rows}


Send = Callable[[Hostile], Awaitable[list[httpx.Response]]]


def _message(response: httpx.Response) -> str:
    """The refusal as a person reads it, or "" when there is none."""
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return str(response.json().get("detail") or "")
    alerts = re.findall(r'role="alert"[^>]*>([^<]+)<', response.text)
    # The error page (web/templates/error.html): the problem's title, then its detail.
    alerts += re.findall(r"<h1>[^<]*</h1>\s*<p>([^<]+)</p>", response.text)
    return " ".join(a.strip() for a in alerts)


async def assert_all_refused(
    session: AsyncSession,
    storage: ObjectStorage,
    send: Send,
    extra_state: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Every corpus entry: a 4xx with a message, and no row or object more than before."""
    failures = []
    for hostile in corpus():
        rows, objects = await _counts(session), set(await storage.list())
        state = await extra_state() if extra_state else None
        for response in await send(hostile):
            message = _message(response)
            if not (400 <= response.status_code < 500) or len(message) < 12:
                failures.append(f"{hostile.name}: {response.status_code} {response.text[:300]!r}")
        session.expire_all()
        after_rows = await _counts(session)
        added_rows = {t: after_rows[t] - n for t, n in rows.items() if after_rows[t] != n}
        added_objects = set(await storage.list()) - objects
        if added_rows or added_objects:
            failures.append(f"{hostile.name}: stored rows {added_rows}, objects {added_objects}")
        if extra_state and await extra_state() != state:
            failures.append(f"{hostile.name}: changed {state!r}")
    assert not failures, "\n".join(failures)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def as_upload(hostile: Hostile, field: str = "file") -> dict[str, tuple[str, bytes, str]]:
    return {field: (hostile.filename, hostile.data, hostile.content_type)}


def _title(hostile: Hostile) -> str:
    return f"Sample {abs(hash(hostile.name)) % 10_000}"


# ---- portfolio ---------------------------------------------------------------------------


async def test_portfolio_samples_api(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    common = {"category": "copywriting", "ownership_attested": True, "consent_to_train": True}

    async def send(h: Hostile) -> list[httpx.Response]:
        design = {"kind": "image", "title": _title(h), "filename": h.filename, **common}
        recording = audio_body(h.data, filename=h.filename)
        return [
            await client.post(
                "/api/v1/portfolio/samples",
                json={**design, "content_base64": b64(h.data)},
                headers=headers,
            ),
            await client.post("/api/v1/portfolio/samples", json=recording, headers=headers),
        ]

    await assert_all_refused(session, storage, send)
    await assert_streamed_too_large(client, "/api/v1/portfolio/samples", headers)


async def test_portfolio_samples_page(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    await signed_in_user(client, session)
    token = await csrf_token(client)

    async def send(h: Hostile) -> list[httpx.Response]:
        answers = []
        for kind in ("text", "image", "audio"):
            form = {
                "csrf_token": token,
                "kind": kind,
                "category": "copywriting",
                "ownership_attested": "on",
                "consent_to_train": "on",
                "transcript": SCRIPT,
            }
            answers.append(
                await client.post("/dashboard/portfolio/samples", data=form, files=as_upload(h))
            )
        return answers

    await assert_all_refused(session, storage, send)
    await assert_streamed_too_large(client, "/dashboard/portfolio/samples")


# ---- orders ------------------------------------------------------------------------------


async def _order_in_progress(client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    placed = await order(client, buyer, gig_id, brief="A logo for the bakery")
    assert placed.status_code == 201, placed.text
    return seller, public("order", placed.json()["id"])


async def test_order_deliveries_api(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    seller, order_id = await _order_in_progress(client)

    async def send(h: Hostile) -> list[httpx.Response]:
        item = {"name": h.filename, "content_base64": b64(h.data), "content_type": h.content_type}
        body = {"text": "The files.", "files": [item]}
        return [
            await client.post(f"/api/v1/orders/{order_id}/deliveries", json=body, headers=seller)
        ]

    await assert_all_refused(session, storage, send)
    await assert_streamed_too_large(client, f"/api/v1/orders/{order_id}/deliveries", seller)


async def test_order_delivery_page(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    _, seller = await api_signup(client, roles=("freelancer",), display_name="Sam Seller")
    me = (await client.get("/api/v1/me", headers=seller)).json()
    gig_id = await _gig_of(client, seller)
    buyer = await funded_buyer(client)
    placed = await order(client, buyer, gig_id, brief="A logo for the bakery")
    order_id = public("order", placed.json()["id"])
    await sign_in(client, me["email"])
    token = await csrf_token(client)

    async def send(h: Hostile) -> list[httpx.Response]:
        form = {"csrf_token": token, "text": "The files."}
        return [
            await client.post(f"/orders/{order_id}/deliver", data=form, files=as_upload(h, "files"))
        ]

    await assert_all_refused(session, storage, send)
    await assert_streamed_too_large(client, f"/orders/{order_id}/deliver")


async def _gig_of(client: httpx.AsyncClient, freelancer: dict[str, str]) -> str:
    from tests.catalog.factories import gig_payload

    made = await client.post("/api/v1/gigs", json=gig_payload(), headers=freelancer)
    assert made.status_code == 201, made.text
    return public("gig", made.json()["id"])


# ---- inbox -------------------------------------------------------------------------------


async def test_inbox_api(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    seller, buyer, gig_id, conversation = await gig_conversation(client)

    async def send(h: Hostile) -> list[httpx.Response]:
        files = [{"name": h.filename, "content_base64": b64(h.data)}]
        return [
            await client.post(
                "/api/v1/conversations",
                json={"text": "A file.", "gig_id": gig_id, "files": files},
                headers=buyer,
            ),
            await client.post(
                f"/api/v1/conversations/{conversation['id']}/messages",
                json={"text": "A file.", "files": files},
                headers=seller,
            ),
        ]

    await assert_all_refused(session, storage, send)
    await assert_streamed_too_large(client, "/api/v1/conversations", buyer)
    messages = f"/api/v1/conversations/{conversation['id']}/messages"
    await assert_streamed_too_large(client, messages, seller)


async def test_inbox_pages(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    _, buyer, gig_id, conversation = await gig_conversation(client)
    me = (await client.get("/api/v1/me", headers=buyer)).json()
    await sign_in(client, me["email"])
    token = await csrf_token(client)

    async def send(h: Hostile) -> list[httpx.Response]:
        form = {"csrf_token": token, "text": "A file."}
        return [
            await client.post(
                "/inbox", data={**form, "gig": str(gig_id)}, files=as_upload(h, "files")
            ),
            await client.post(
                f"/inbox/{conversation['id']}/messages", data=form, files=as_upload(h, "files")
            ),
        ]

    await assert_all_refused(session, storage, send)
    await assert_streamed_too_large(client, "/inbox")
    await assert_streamed_too_large(client, f"/inbox/{conversation['id']}/messages")


# ---- voice verification ------------------------------------------------------------------


async def test_voice_verification(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    user, headers = await api_signup(client, roles=("freelancer",), display_name="Ana Voice")
    recording = await client.post(
        "/api/v1/portfolio/samples", json=audio_body(encoded("wav")), headers=headers
    )
    assert recording.status_code == 201, recording.text
    created = await client.post(
        "/api/v1/models", json={"modality": "voice", "name": "Ana's voice"}, headers=headers
    )
    model_id = public("model", created.json()["id"])
    url = f"/api/v1/models/{model_id}/voice-verification"
    assert (await client.get(url, headers=headers)).status_code == 200  # the phrase to say
    await sign_in(client, str(user["email"]))
    token = await csrf_token(client)

    async def send(h: Hostile) -> list[httpx.Response]:
        return [
            await client.post(
                url, json={"content_base64": b64(h.data), "filename": h.filename}, headers=headers
            ),
            await client.post(
                f"/dashboard/models/{model_id}/voice/verification",
                data={"csrf_token": token},
                files=as_upload(h),
            ),
        ]

    try:
        await assert_all_refused(session, storage, send)
        await assert_streamed_too_large(client, url, headers)
        await assert_streamed_too_large(client, f"/dashboard/models/{model_id}/voice/verification")
    finally:
        await artifacts.delete_stored(storage, "portfolio/")


# ---- generation attachments --------------------------------------------------------------


@pytest.fixture
def tiles() -> Iterator[Tiles]:
    with registered(tiles_module.OPTIONS_FIELD) as modality:
        yield modality


async def test_generation_attachments(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    tiles: Tiles,
) -> None:
    try:
        model = await tiles_model(client, sessionmaker, storage)
        model_id = public("model", model.model_id)
        buyer_user, buyer = await api_signup(client, display_name="Bea Buyer")
        from tests.billing.test_routes import top_up

        assert (await top_up(client, buyer, 2000)).status_code == 201
        await sign_in(client, str(buyer_user["email"]))
        token = await csrf_token(client)
        wallet = "/api/v1/wallet"

        async def balance() -> object:
            return (await client.get(wallet, headers=buyer)).json()["balance_amount"]

        async def send(h: Hostile) -> list[httpx.Response]:
            api = await client.post(
                f"/api/v1/models/{model_id}/generations",
                json={"brief": BRIEF, "tiles": OPTIONS, "attachments": {"logo": b64(h.data)}},
                headers=buyer,
            )
            page = await client.post(
                f"/models/{model_id}/generate",
                data={
                    "csrf_token": token,
                    "brief": BRIEF,
                    "options_field": "tiles",
                    "opt.label": "Cafe",
                },
                files=as_upload(h, "attach.logo"),
            )
            streamed_api = await client.post(
                f"/api/v1/models/{model_id}/generations/stream",
                json={"brief": BRIEF, "tiles": OPTIONS, "attachments": {"logo": b64(h.data)}},
                headers=buyer,
            )
            streamed_page = await client.post(
                f"/models/{model_id}/generate/stream",
                data={
                    "csrf_token": token,
                    "brief": BRIEF,
                    "options_field": "tiles",
                    "opt.label": "Cafe",
                },
                files=as_upload(h, "attach.logo"),
            )
            return [api, page, streamed_api, streamed_page]

        await assert_all_refused(session, storage, send, balance)
        assert tiles.requests == []  # no hostile file reached the model
        generations = f"/api/v1/models/{model_id}/generations"
        await assert_streamed_too_large(client, generations, buyer)
        await assert_streamed_too_large(client, f"/models/{model_id}/generate")
        await assert_streamed_too_large(client, f"{generations}/stream", buyer)
        await assert_streamed_too_large(client, f"/models/{model_id}/generate/stream")
    finally:
        await artifacts.delete_stored(storage, "models/")
        await artifacts.delete_stored(storage, "generations/")
        await artifacts.delete_stored(storage, "portfolio/")


# ---- galleries and avatars ---------------------------------------------------------------


async def test_gallery_and_avatar(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    from tests.catalog.factories import create_gig

    owner = await signed_in_user(client, session)
    gig = await create_gig(session, owner)
    await session.commit()
    owner_id, gig_id = owner.id, gig.id
    gallery = f"/dashboard/gigs/{gig.public_id}/gallery"
    token = await csrf_token(client)

    async def avatar_key() -> object:
        return await session.scalar(
            select(FreelancerProfile.avatar_key).where(FreelancerProfile.user_id == owner_id)
        )

    async def send(h: Hostile) -> list[httpx.Response]:
        return [
            await client.post(
                gallery,
                data={"csrf_token": token, "alt_text": "A picture"},
                files=as_upload(h),
            ),
            await client.post(
                "/dashboard/profile/avatar", data={"csrf_token": token}, files=as_upload(h)
            ),
        ]

    await assert_all_refused(session, storage, send, avatar_key)
    assert await gallery_service.images(session, gig_id) == []
    await assert_streamed_too_large(client, gallery)
    await assert_streamed_too_large(client, "/dashboard/profile/avatar")


# ---- search history import (operators) --------------------------------------------------


async def test_search_history_import(
    client: httpx.AsyncClient, session: AsyncSession, storage: ObjectStorage
) -> None:
    headers = await admin_headers(session)

    async def send(h: Hostile) -> list[httpx.Response]:
        return [
            await client.post(
                "/api/v1/admin/search-events:import", files=as_upload(h), headers=headers
            )
        ]

    await assert_all_refused(session, storage, send)
    await assert_streamed_too_large(client, "/api/v1/admin/search-events:import", headers)


# ---- bodies over the limit, streamed -----------------------------------------------------


async def assert_streamed_too_large(
    client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
) -> None:
    """A body over the upload limit, sent in chunks without a Content-Length by someone
    allowed to upload there, is cut off by the guard with a 413 problem."""
    limit = get_settings().upload_max_bytes
    chunk = b"a" * (1 << 20)
    as_json = url.startswith("/api/")
    head = (
        b'{"text": "'
        if as_json
        else b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
        b"Content-Type: image/png\r\n\r\n"
    )

    async def body() -> AsyncIterator[bytes]:
        yield head
        sent = 0
        while sent <= limit:
            yield chunk
            sent += len(chunk)

    content_type = "application/json" if as_json else "multipart/form-data"
    response = await client.post(
        url,
        content=body(),
        headers={**(headers or {}), "content-type": f"{content_type}; boundary=x"},
    )
    assert response.status_code == 413, (url, response.status_code, response.text[:200])
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "limited to" in response.json()["detail"]
