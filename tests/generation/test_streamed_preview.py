"""Previews streamed while the model writes them (Server-Sent Events).

The stream never shows more than the stored preview will; the stored preview, the allowance
and the charge are those of an ordinary preview; refusals answer before the stream starts; and
a client that goes away mid-stream takes its row out of the real engine's batch."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.creation.echo import NAME, Echo, EchoConfig
from tests.creation.test_fake_modality import train_echo_model
from tests.web.test_pages import sign_in
from twinwork.config import get_settings
from twinwork.generation.service import make_preview
from twinwork.generation.streaming import PreviewCut, shown_words
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.ml import GenerateRequest, register_modality, unregister_modality

ANSWER = (
    "Salt on the window and bread in the oven, the gulls are loud on the roof tonight; "
    "come early for the rye and stay late for the harbour lights, the kettle sings."
)
BRIEF = "Lines for a harbour bakery opening on Saturday"


def parse_events(body: str) -> list[tuple[str, Any]]:
    events = []
    for block in body.split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        name = next(line[7:] for line in lines if line.startswith("event: "))
        data = "".join(line[6:] for line in lines if line.startswith("data: "))
        events.append((name, json.loads(data)))
    return events


# ---- the cut: never more than the stored preview -------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_what_streams_is_always_a_prefix_of_the_stored_preview(seed: int) -> None:
    rng = random.Random(seed)
    words = ANSWER.split()
    text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
    text = text.replace(" ", rng.choice([" ", "\n", "  "]), rng.randint(0, 3))
    stored, _ = make_preview(text.strip())
    target = stored.removesuffix(" …") if text.split() else ""
    cut, sent, position = PreviewCut(), "", 0
    while position < len(text):
        step = rng.randint(1, 7)
        sent += cut.feed(text[position : position + step])
        position += step
        assert target.startswith(sent), (sent, target)
    sent += cut.rest(stored)
    assert sent == target


def test_the_stream_shows_words_only_once_the_preview_will_hold_them() -> None:
    assert [shown_words(n) for n in range(0, 12)] == [0, 1, 1, 2, 3, 3, 3, 3, 4, 4, 4, 5]
    cut = PreviewCut()
    assert cut.feed("Salt") == ""  # a word still being written is never sent
    assert cut.feed(" on") == "Salt"
    assert cut.feed(" the window") == " on"  # 3 complete words: a preview of 3 shows 2
    assert cut.feed(" and") == " the"
    assert cut.feed("") == ""


# ---- through the API ---------------------------------------------------------------------


class StreamingEcho(Echo):
    """Writes its answer word by word into the request's sink, as the text engine does."""

    def generate(self, request: GenerateRequest) -> str:
        if request.adapter_dir is None or request.sink is None:
            return super().generate(request)
        for word in ANSWER.split(" "):
            request.sink.write(word + " ")
        return ANSWER


@pytest.fixture
def streaming_echo() -> Iterator[StreamingEcho]:
    echo = StreamingEcho()
    register_modality(
        name=NAME, label="Echo", config_cls=EchoConfig, sample_kinds=("text",), min_samples=2,
        plan=echo.plan, train=echo.train, evaluate=echo.evaluate, generate=echo.generate,
    )  # fmt: skip
    try:
        yield echo
    finally:
        unregister_modality(NAME)


@pytest.fixture
def storage() -> ObjectStorage:
    return make_storage(get_settings())


async def buyer_headers(client: httpx.AsyncClient) -> dict[str, str]:
    _, headers = await api_signup(client, display_name="Sol Streamer")
    return headers


async def test_a_streamed_preview_arrives_in_pieces_and_is_stored_as_an_ordinary_one(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    streaming_echo: StreamingEcho,
) -> None:
    model = await train_echo_model(client, sessionmaker, storage)
    buyer = await buyer_headers(client)
    response = await client.post(
        f"/api/v1/models/{model.public_id}/generations/stream",
        json={"brief": BRIEF},
        headers=buyer,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text)
    names = [name for name, _ in events]
    assert names[-1] == "generation" and set(names[:-1]) == {"preview"}
    assert len(names) > 3, "the preview came in one piece"
    streamed = "".join(data["delta"] for name, data in events if name == "preview")
    final = events[-1][1]
    stored = (await client.get(f"/api/v1/generations/{final['id']}", headers=buyer)).json()
    assert stored["preview"] == final["preview"] == streamed + " …"
    assert stored["preview"] == make_preview(ANSWER)[0]
    assert stored["text"] is None and stored["purchased"] is False  # nothing more than a preview
    assert final["price_amount"] == stored["price_amount"]


async def test_a_refused_preview_answers_a_problem_before_any_stream(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    streaming_echo: StreamingEcho,
) -> None:
    model = await train_echo_model(client, sessionmaker, storage)
    buyer = await buyer_headers(client)
    missing = await client.post(
        "/api/v1/models/999999/generations/stream", json={"brief": BRIEF}, headers=buyer
    )
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    blank = await client.post(
        f"/api/v1/models/{model.public_id}/generations/stream",
        json={"brief": "  "},
        headers=buyer,
    )
    assert blank.status_code == 422
    # Longer than this model's modality takes, though within the longest any modality takes.
    long = await client.post(
        f"/api/v1/models/{model.public_id}/generations/stream",
        json={"brief": "word " * 300},
        headers=buyer,
    )
    assert long.status_code == 422, long.text
    assert long.headers["content-type"].startswith("application/problem+json")
    assert "characters" in long.json()["detail"]
    anonymous = await client.post(
        f"/api/v1/models/{model.public_id}/generations/stream", json={"brief": BRIEF}
    )
    assert anonymous.status_code == 401


async def test_the_model_page_offers_the_stream_and_its_twin_streams_the_form(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
    streaming_echo: StreamingEcho,
) -> None:
    model = await train_echo_model(client, sessionmaker, storage)
    buyer, _ = await api_signup(client, display_name="Pat Pageview")
    await sign_in(client, str(buyer["email"]))
    html = (await client.get(f"/models/{model.public_id}")).text
    assert f'data-stream-action="/models/{model.public_id}/generate/stream"' in html
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = await client.post(
        f"/models/{model.public_id}/generate/stream",
        data={"csrf_token": token, "brief": BRIEF},
    )
    assert response.status_code == 200, response.text
    events = parse_events(response.text)
    assert events[-1][0] == "generation"
    assert events[-1][1]["url"] == f"/generations/{events[-1][1]['id']}"


# ---- a client that goes away: its row leaves the real engine's batch ------------------------


@pytest.mark.slow
async def test_a_client_that_disconnects_mid_stream_leaves_the_batch(
    app: Any,
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    from tests.ml.conftest import MODEL_CACHE  # noqa: PLC0415
    from twinwork.ml.text import ensure_base_model  # noqa: PLC0415
    from twinwork.ml.text.engine import get_engine  # noqa: PLC0415

    engine = get_engine(ensure_base_model(MODEL_CACHE))
    scheduler = engine.engine.scheduler

    class EngineEcho(Echo):
        """Streams from the real engine: a long answer, so the client leaves mid-way."""

        def generate(self, request: GenerateRequest) -> str:
            if request.sink is None:
                return super().generate(request)
            return engine.generate(
                request.brief, adapter_dir=None, max_new_tokens=300, stop_at_eos=False,
                temperature=0, sink=request.sink,
            )  # fmt: skip

    echo = EngineEcho()
    register_modality(
        name=NAME, label="Echo", config_cls=EchoConfig, sample_kinds=("text",), min_samples=2,
        plan=echo.plan, train=echo.train, evaluate=echo.evaluate, generate=echo.generate,
    )  # fmt: skip
    try:
        model = await train_echo_model(client, sessionmaker, storage)
        buyer = await buyer_headers(client)
        steps_before = scheduler.steps
        chunks = await post_and_leave_after_first_piece(
            app,
            f"/api/v1/models/{model.public_id}/generations/stream",
            {"brief": BRIEF},
            buyer,
        )
        assert any(b"event: preview" in chunk for chunk in chunks)
        deadline = time.monotonic() + 20
        while scheduler.running and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert scheduler.running == 0, "the row stayed in the batch after its client left"
        # It left early: nowhere near the 300 tokens it was asked for.
        assert scheduler.steps - steps_before < 150
        history = await client.get("/api/v1/generations", headers=buyer)
        if history.status_code == 200:  # nothing stored, nothing counted
            assert history.json().get("total", 0) == 0
    finally:
        unregister_modality(NAME)


async def post_and_leave_after_first_piece(
    app: Any, path: str, body: dict[str, Any], headers: dict[str, str]
) -> list[bytes]:
    """Call the app as a server would, and disconnect once the first preview event arrived."""
    raw = json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    leave = asyncio.Event()
    chunks: list[bytes] = []
    body_sent = False

    async def receive() -> dict[str, Any]:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await leave.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if b"event: preview" in chunks[-1]:
                leave.set()

    await asyncio.wait_for(app(scope, receive, send), timeout=120)
    return chunks
