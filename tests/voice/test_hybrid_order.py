"""A hybrid order on a voice gig: priced per started 100 words of the brief plus the
refinement, the model's take attached for the freelancer at once, and the freelancer's
recorded edit on top delivered as "human edited": its C2PA manifest names the freelancer,
the model's version, a human edit of AI media, and training and data mining not allowed,
and validates against the platform's trust anchor."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.catalog.factories import gig_payload
from tests.voice.factories import (
    active_voice_model,
    funded_buyer,
    script_of,
    use_quick_narration,
    wallet_balance,
)
from twinwork.config import get_settings
from twinwork.creation import artifacts
from twinwork.kit import content_credentials
from twinwork.kit.db import unit_of_work
from twinwork.kit.public_ids import public_id, row_id
from twinwork.kit.storage import ObjectStorage, make_storage
from twinwork.ledger.service import ledger_service
from twinwork.ml.voice.signal import read_audio, to_wav
from twinwork.order.models import Order

UNIT_PRICE = 250
REFINEMENT = 3_000
NARRATOR = "Nia Narrator"


@pytest.fixture
async def storage() -> AsyncIterator[ObjectStorage]:
    store = make_storage(get_settings())
    yield store
    for prefix in ("models/", "generations/", "orders/"):
        await artifacts.delete_stored(store, prefix)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    use_quick_narration(monkeypatch)


def voice_gig() -> dict[str, object]:
    return gig_payload(
        title="I will record a warm, friendly voice-over for your ad",
        description=(
            "Radio spots, explainers and shop announcements in a warm, clear voice. Order it "
            "by hand, from my personal voice model, or the model's take edited by me."
        ),
        category="voice-over",
        tags=["voice-over", "narration", "radio"],
    )


def recorded_edit(ai_take: bytes) -> bytes:
    """The freelancer's edit on top of the AI take: a breath of room tone before it and a
    little quieter, as a re-recorded pickup would sit."""
    audio, rate = read_audio(ai_take)
    room = np.zeros(int(0.25 * rate), dtype=np.float32)
    return to_wav(np.concatenate([room, audio * np.float32(0.8)]), rate)


async def test_a_hybrid_voice_order_delivers_the_freelancers_edit_as_human_edited(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    storage: ObjectStorage,
) -> None:
    voice = await active_voice_model(
        client,
        sessionmaker,
        storage,
        price_amount=UNIT_PRICE,
        refinement_price_amount=REFINEMENT,
        display_name=NARRATOR,
    )
    gig = await client.post("/api/v1/gigs", json=voice_gig(), headers=voice.owner)
    assert gig.status_code == 201, gig.text
    buyer = await funded_buyer(client, 20_000)

    brief = script_of(250)  # three started hundreds of words
    placed = await client.post(
        "/api/v1/orders",
        json={"gig_id": gig.json()["id"], "package": "basic", "kind": "hybrid", "brief": brief},
        headers={**buyer, "Idempotency-Key": "hybrid-voice-1"},
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["kind"], order["status"]) == ("hybrid", "in_progress")
    assert order["price_amount"] == 3 * UNIT_PRICE + REFINEMENT
    assert await wallet_balance(client, buyer) == 20_000 - order["price_amount"]
    [draft] = order["deliveries"]
    assert draft["is_draft"] and draft["made_by"] == "ai"
    assert "refining it by hand" in draft["disclosure"]

    # The model's take is attached to the order: the freelancer downloads it to work on.
    async with unit_of_work(sessionmaker) as read:
        stored = await read.get(Order, row_id("order", order["id"]))
        assert stored is not None and stored.generation_id is not None
        generation_id = stored.generation_id
    take = await client.get(
        f"/api/v1/generations/{public_id('generation', generation_id)}/files/narration.wav",
        headers=voice.owner,
    )
    assert take.status_code == 200, take.text
    ai_report = content_credentials.read(take.content, "audio/wav")
    assert ai_report.digital_source_type == "trainedAlgorithmicMedia"
    freelancer_page = await client.get(f"/api/v1/orders/{order['id']}", headers=voice.owner)
    assert freelancer_page.json()["role"] == "freelancer"

    # The freelancer delivers a recorded edit on top of the take, and a plain script note.
    edit = recorded_edit(take.content)
    delivered = await client.post(
        f"/api/v1/orders/{order['id']}/deliveries",
        json={
            "text": "The take with a pickup on the opening line, levelled by hand.",
            "files": [
                {"name": "narration-edited.wav", "content_base64": base64.b64encode(edit).decode()},
                {
                    "name": "notes.txt",
                    "content_base64": base64.b64encode(b"Pickup at 0:00").decode(),
                },
            ],
        },
        headers=voice.owner,
    )
    assert delivered.status_code == 201, delivered.text
    last = delivered.json()["deliveries"][-1]
    assert last["made_by"] == "hybrid" and not last["is_draft"]
    assert last["disclosure"] == f"AI draft by {NARRATOR}'s model, refined by {NARRATOR}."
    wav_file, notes = last["files"]
    assert wav_file["content_type"] == "audio/wav"

    got = await client.get(f"/api/v1/orders/{order['id']}/files/{wav_file['id']}", headers=buyer)
    assert got.status_code == 200
    report = content_credentials.read(got.content, "audio/wav")
    assert report.state is content_credentials.ValidationState.TRUSTED, report.failures
    assert report.creator_name == NARRATOR
    assert report.digital_source_type == "compositeWithTrainedAlgorithmicMedia"
    actions = (report.assertion(content_credentials.ACTIONS_LABEL) or {})["actions"]
    edited = [a for a in actions if a["action"] == "c2pa.edited"]
    assert edited and edited[0]["description"] == f"Refined by {NARRATOR}"
    created = next(a for a in actions if a["action"] == "c2pa.created")
    assert created["softwareAgent"] == {"name": f"{NARRATOR}'s voice", "version": "version 1"}
    for label in content_credentials.TRAINING_MINING_LABELS:
        entries = (report.assertion(label) or {})["entries"]
        assert entries and {e["use"] for e in entries.values()} == {"notAllowed"}
    # The audio is the freelancer's edit, unchanged by signing.
    heard, rate = read_audio(got.content)
    sent, sent_rate = read_audio(edit)
    assert rate == sent_rate and heard.shape == sent.shape

    # A file C2PA cannot carry is delivered as it is.
    plain = await client.get(f"/api/v1/orders/{order['id']}/files/{notes['id']}", headers=buyer)
    assert plain.content == b"Pickup at 0:00"

    accepted = await client.post(f"/api/v1/orders/{order['id']}/accept", headers=buyer)
    assert accepted.json()["status"] == "completed"
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0


async def test_a_human_voice_order_delivers_the_recording_as_it_is(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> None:
    """Only hybrid work is signed "human edited": a recording made by hand is the
    freelancer's own, handed over byte for byte."""
    voice = await active_voice_model(client, sessionmaker, storage, price_amount=UNIT_PRICE)
    gig = await client.post("/api/v1/gigs", json=voice_gig(), headers=voice.owner)
    buyer = await funded_buyer(client, 20_000)
    placed = await client.post(
        "/api/v1/orders",
        json={"gig_id": gig.json()["id"], "package": "basic", "kind": "human", "brief": "Hi"},
        headers=buyer,
    )
    assert placed.status_code == 201, placed.text
    recording = to_wav(np.zeros(4_800, dtype=np.float32) + np.float32(0.01), 48_000)
    delivered = await client.post(
        f"/api/v1/orders/{placed.json()['id']}/deliveries",
        json={
            "text": "Recorded by hand.",
            "files": [{"name": "take.wav", "content_base64": base64.b64encode(recording).decode()}],
        },
        headers=voice.owner,
    )
    assert delivered.status_code == 201, delivered.text
    [file] = delivered.json()["deliveries"][-1]["files"]
    got = await client.get(
        f"/api/v1/orders/{placed.json()['id']}/files/{file['id']}", headers=buyer
    )
    assert got.content == recording
