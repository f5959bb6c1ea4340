"""The voice verification's page and its refusals that need no training: the phrase shown and
kept until answered, a take before any recording, a take that is not audio, a model that is
not a voice model."""

from __future__ import annotations

import base64
import html

import httpx

from tests.account.factories import api_signup
from tests.portfolio.voice_factories import encoded
from tests.web.test_pages import csrf_token, sign_in
from twinwork.voice.service import random_phrase


async def voice_model(client: httpx.AsyncClient) -> tuple[dict[str, object], dict[str, str], str]:
    user, headers = await api_signup(client, roles=("freelancer",), display_name="Ana Voice")
    created = await client.post(
        "/api/v1/models", json={"modality": "voice", "name": "Ana's voice"}, headers=headers
    )
    assert created.status_code == 201, created.text
    return user, headers, str(created.json()["id"])


def test_phrases_are_sentences_that_differ() -> None:
    phrases = {random_phrase() for _ in range(20)}
    assert len(phrases) > 15
    for phrase in phrases:
        assert 12 <= len(phrase.split()) <= 24 and phrase.endswith(".")


async def test_the_page_shows_the_phrase_and_refuses_takes_it_cannot_check(
    client: httpx.AsyncClient,
) -> None:
    user, headers, model_id = await voice_model(client)
    await sign_in(client, str(user["email"]))
    page = await client.get(f"/dashboard/models/{model_id}/voice")
    assert page.status_code == 200
    assert "Not verified" in page.text and "data-voice-recorder" in page.text
    phrase = (
        await client.get(f"/api/v1/models/{model_id}/voice-verification", headers=headers)
    ).json()
    # The page and the API show the same sentence (escaped on the page: "neighbour's").
    assert phrase["phrase"] in html.unescape(page.text)

    no_file = await client.post(
        f"/dashboard/models/{model_id}/voice/verification",
        data={"csrf_token": await csrf_token(client)},
    )
    assert no_file.status_code == 422 and "Record the sentence" in no_file.text
    no_recordings = await client.post(
        f"/dashboard/models/{model_id}/voice/verification",
        data={"csrf_token": await csrf_token(client)},
        files={"file": ("take.wav", encoded("wav"), "audio/wav")},
    )
    assert no_recordings.status_code == 409
    assert "Add recordings of your voice" in no_recordings.text

    not_audio = await client.post(
        f"/api/v1/models/{model_id}/voice-verification",
        json={"content_base64": base64.b64encode(b"%PDF-1.7 not a take").decode()},
        headers=headers,
    )
    assert not_audio.status_code in (409, 422)
    bad_base64 = await client.post(
        f"/api/v1/models/{model_id}/voice-verification",
        json={"content_base64": "***"},
        headers=headers,
    )
    assert bad_base64.status_code == 422


async def test_a_text_model_has_no_voice_check(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    created = await client.post("/api/v1/models", json={"name": "Words"}, headers=headers)
    model_id = created.json()["id"]
    response = await client.get(f"/api/v1/models/{model_id}/voice-verification", headers=headers)
    assert response.status_code == 409 and "not a voice model" in response.text
