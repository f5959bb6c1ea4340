"""A writing model's length option through the real API and pages: the buyer's choice reaches
the generator as the text modality checked it, and a bad value answers 422 with a message."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.creation.echo import Echo, EchoConfig
from tests.creation.test_fake_modality import EchoModel, train_echo_model
from tests.web.test_pages import csrf_token, sign_in
from twinwork.kit.storage import ObjectStorage
from twinwork.ml import GenerateRequest, register_modality, unregister_modality
from twinwork.ml.text import entry
from twinwork.ml.text.prompt import answer_length

BRIEF = "Lyrics about leaving the harbour town"


class WritingEcho(Echo):
    """The echo modality with the text modality's options: it records what it was asked."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[GenerateRequest] = []

    def generate(self, request: GenerateRequest) -> str:
        self.requests.append(request)
        return super().generate(request)


@contextmanager
def writing_echo() -> Iterator[WritingEcho]:
    echo = WritingEcho()
    register_modality(
        name="echo",
        label="Echo",
        config_cls=EchoConfig,
        sample_kinds=("text",),
        min_samples=2,
        plan=echo.plan,
        train=echo.train,
        evaluate=echo.evaluate,
        generate=echo.generate,
        evict=echo.evict,
        options_field=entry.OPTIONS_FIELD,
        check_options=entry.check_options,
    )
    try:
        yield echo
    finally:
        unregister_modality("echo")


@pytest.fixture
async def setup(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    storage: ObjectStorage,
) -> AsyncIterator[tuple[WritingEcho, EchoModel, dict[str, str]]]:
    with writing_echo() as echo:
        model = await train_echo_model(client, sessionmaker, storage)
        _, headers = await api_signup(client, display_name="Lena Length")
        assert (await top_up(client, headers, 2000)).status_code == 201
        yield echo, model, headers


async def test_the_buyers_length_reaches_the_generator_as_checked(
    client: httpx.AsyncClient, setup: tuple[WritingEcho, EchoModel, dict[str, str]]
) -> None:
    echo, model, headers = setup
    response = await client.post(
        f"/api/v1/models/{model.public_id}/generations",
        json={"brief": BRIEF, "text": {"lines": "12"}},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert dict(echo.requests[-1].options) == {"lines": 12}
    # What the text modality then asks of its engine: about twelve lines of lyrics.
    length = answer_length(BRIEF, echo.requests[-1].options)
    assert length.kind == "verse" and length.min_words <= 12 * 7 <= length.max_words
    # No option is the default length, never shorter than a verse for lyrics.
    plain = await client.post(
        f"/api/v1/models/{model.public_id}/generations", json={"brief": BRIEF}, headers=headers
    )
    assert plain.status_code == 201, plain.text
    assert dict(echo.requests[-1].options) == {}
    assert answer_length(BRIEF).min_words >= 40


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"length": "enormous"}, "Length must be short, medium or long"),
        ({"lines": 400}, "'lines' must be a whole number from 1 to 40"),
        ({"length": "long", "words": 50}, "Choose one length"),
        ({"mood": "sad"}, "Unknown option(s): mood"),
    ],
)
async def test_a_bad_length_answers_422_with_its_message_and_generates_nothing(
    client: httpx.AsyncClient,
    setup: tuple[WritingEcho, EchoModel, dict[str, str]],
    options: dict[str, object],
    message: str,
) -> None:
    echo, model, headers = setup
    asked = len(echo.requests)
    response = await client.post(
        f"/api/v1/models/{model.public_id}/generations",
        json={"brief": BRIEF, "text": options},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert len(echo.requests) == asked


async def test_the_brief_form_asks_how_long_and_explains_a_bad_value(
    client: httpx.AsyncClient, setup: tuple[WritingEcho, EchoModel, dict[str, str]]
) -> None:
    echo, model, _ = setup
    user_json, _ = await api_signup(client, display_name="Pat Pages")
    await sign_in(client, str(user_json["email"]))
    page = await client.get(f"/models/{model.public_id}")
    assert page.status_code == 200
    assert 'name="options_field" value="text"' in page.text
    assert 'name="opt.length"' in page.text and 'name="opt.lines"' in page.text
    assert 'name="options_json"' not in page.text
    # A text model's preview is the first part of the text, not watermarked files.
    assert "watermarked" not in page.text

    refused = await client.post(
        f"/models/{model.public_id}/generate",
        data={
            "csrf_token": await csrf_token(client),
            "brief": BRIEF,
            "options_field": "text",
            "opt.length": "long",
            "opt.lines": "6",
        },
    )
    assert refused.status_code == 422
    assert "Choose one length" in refused.text
    assert 'value="6"' in refused.text  # what the buyer typed is kept


async def test_a_writing_model_refuses_attached_images_and_generates_nothing(
    client: httpx.AsyncClient, setup: tuple[WritingEcho, EchoModel, dict[str, str]]
) -> None:
    echo, model, headers = setup
    asked = len(echo.requests)
    response = await client.post(
        f"/api/v1/models/{model.public_id}/generations",
        json={"brief": BRIEF, "text": {"length": "short"}, "attachments": {"logo": "aGVsbG8="}},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert "takes no attachments" in response.json()["detail"]
    assert len(echo.requests) == asked
