from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup, create_user
from tests.portfolio.factories import add_samples, sample_body
from tests.web.test_pages import csrf_token, sign_in, signed_in_user
from twinwork.kit import public_ids
from twinwork.kit.db import utcnow
from twinwork.kit.public_ids import public_id
from twinwork.portfolio.models import DataUseRecord, PortfolioSample
from twinwork.portfolio.service import (
    ProvenanceViolation,
    assert_trainable,
    portfolio_service,
)

SAMPLES = "/api/v1/portfolio/samples"


async def test_sample_is_added_without_consent_by_default(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    body = sample_body()
    del body["consent_to_train"]
    response = await client.post(SAMPLES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    sample = response.json()
    assert sample["consent_to_train"] is False
    assert sample["ownership_attested"] is True
    assert len(sample["content_hash"]) == 64
    listing = (await client.get(SAMPLES, headers=headers)).json()
    assert listing["total"] == 1 and listing["consented"] == 0


async def test_consent_can_be_given_and_withdrawn(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    [sample] = await add_samples(client, headers, 1, consent_to_train=False)
    url = f"{SAMPLES}/{sample['id']}"
    given = await client.patch(url, json={"consent_to_train": True}, headers=headers)
    assert given.json()["consent_to_train"] is True
    withdrawn = await client.patch(url, json={"consent_to_train": False}, headers=headers)
    assert withdrawn.json()["consent_to_train"] is False
    assert withdrawn.json()["consent_changed_at"] >= given.json()["consent_changed_at"]


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"ownership_attested": False}, 422, "ownership_attested"),
        ({"content": "   \n "}, 422, "content"),
        ({"content": "x" * 20_001}, 422, "content"),
        ({"category": "no-such-category"}, 422, "category"),
        ({"title": ""}, 422, "title"),
        ({"kind": "voice"}, 422, "kind"),
    ],
)
async def test_bad_samples_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, overrides: dict[str, object], status: int, field: str
) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    response = await client.post(SAMPLES, json=sample_body(**overrides), headers=headers)
    assert response.status_code == status, response.text
    assert field in response.text
    assert (await client.get(SAMPLES, headers=headers)).json()["total"] == 0


async def test_the_same_text_twice_is_refused(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    body = sample_body()
    assert (await client.post(SAMPLES, json=body, headers=headers)).status_code == 201
    again = await client.post(SAMPLES, json={**body, "title": "Other title"}, headers=headers)
    assert again.status_code == 409
    assert "already in your portfolio" in again.json()["detail"]


async def test_buyers_cannot_add_samples(client: httpx.AsyncClient) -> None:
    _, headers = await api_signup(client, roles=("buyer",))
    response = await client.post(SAMPLES, json=sample_body(), headers=headers)
    assert response.status_code == 403


async def test_a_freelancer_cannot_touch_another_freelancers_sample(
    client: httpx.AsyncClient,
) -> None:
    _, owner = await api_signup(client, roles=("freelancer",))
    _, other = await api_signup(client, roles=("freelancer",))
    [sample] = await add_samples(client, owner, 1)
    response = await client.patch(
        f"{SAMPLES}/{sample['id']}", json={"consent_to_train": False}, headers=other
    )
    assert response.status_code == 404
    assert (await client.get(SAMPLES, headers=other)).json()["total"] == 0


async def test_a_removed_sample_is_gone_and_only_its_owner_can_remove_it(
    client: httpx.AsyncClient,
) -> None:
    _, owner = await api_signup(client, roles=("freelancer",))
    _, other = await api_signup(client, roles=("freelancer",))
    [kept] = await add_samples(client, owner, 1)
    body = sample_body()
    removed = (await client.post(SAMPLES, json=body, headers=owner)).json()
    url = f"{SAMPLES}/{removed['id']}"
    assert (await client.delete(url, headers=other)).status_code == 404
    assert (await client.delete(url, headers=owner)).status_code == 204
    assert (await client.delete(url, headers=owner)).status_code == 404
    listing = (await client.get(SAMPLES, headers=owner)).json()
    assert [item["id"] for item in listing["items"]] == [kept["id"]]
    assert listing["total"] == 1
    # The same text can be added again: the old one is really gone.
    again = await client.post(SAMPLES, json=body, headers=owner)
    assert again.status_code == 201, again.text


async def test_training_refuses_a_sample_removed_after_the_run_was_queued(
    session: AsyncSession,
) -> None:
    from twinwork.account.service import account_service

    samples = await _samples_of(session, 3)
    queued_at = utcnow()
    user = await account_service.get(session, samples[0].owner_user_id)
    assert user is not None
    await portfolio_service.remove(session, user, samples[2].id)
    with pytest.raises(ProvenanceViolation, match="no longer exist"):
        await portfolio_service.load_for_training(
            session, owner_id=user.id, sample_ids=[s.id for s in samples], since=queued_at
        )


async def test_sample_is_removed_from_the_portfolio_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    from twinwork.portfolio.schemas import SampleIn

    user = await signed_in_user(client, session)
    sample = await portfolio_service.add(session, user, SampleIn.model_validate(sample_body()))
    await session.commit()
    token = await csrf_token(client)
    response = await client.post(
        f"/dashboard/portfolio/samples/{sample.public_id}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Sample removed" in page.text and sample.title not in page.text


async def test_sample_count_limit(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from twinwork.config import get_settings

    monkeypatch.setattr(get_settings(), "max_samples", 2)
    _, headers = await api_signup(client, roles=("freelancer",))
    await add_samples(client, headers, 2)
    response = await client.post(SAMPLES, json=sample_body(), headers=headers)
    assert response.status_code == 409
    assert "maximum of 2 samples" in response.json()["detail"]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("song.txt", b"\xff\xfe\xfa not utf-8", "not UTF-8"),
        ("song.txt", b"PK\x03\x04\x00\x00binary", "binary"),
        ("song.pdf", b"%PDF-1.7", ".txt or .md"),
    ],
)
async def test_bad_uploads_get_a_clear_error_on_the_page(
    client: httpx.AsyncClient, session: AsyncSession, filename: str, data: bytes, message: str
) -> None:
    user = await signed_in_user(client, session)
    csrf = await csrf_token(client)
    response = await client.post(
        "/dashboard/portfolio/samples",
        data={"csrf_token": csrf, "category": "song-lyrics", "ownership_attested": "on"},
        files={"file": (filename, data, "application/octet-stream")},
    )
    assert response.status_code == 422
    assert message in response.text
    totals = await portfolio_service.totals(session, user)
    assert totals.count == 0


async def test_utf8_upload_becomes_a_sample(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await signed_in_user(client, session)
    csrf = await csrf_token(client)
    text = "Café lights, a chorus in the rain — ünïcode stays intact.\r\nSecond line."
    response = await client.post(
        "/dashboard/portfolio/samples",
        data={
            "csrf_token": csrf,
            "category": "song-lyrics",
            "ownership_attested": "on",
            "consent_to_train": "on",
        },
        files={"file": ("cafe-lights.md", ("\ufeff" + text).encode(), "text/markdown")},
    )
    assert response.status_code == 303, response.text
    page = await portfolio_service.page(session, user, 1)
    [sample] = page[0].items
    assert sample.title == "cafe-lights"
    assert sample.source == "upload" and sample.consent_to_train
    assert sample.content == text.replace("\r\n", "\n")


# ---- provenance and the data-use ledger ------------------------------------------------------


async def _samples_of(session: AsyncSession, count: int, **kwargs: object) -> list[PortfolioSample]:
    from twinwork.portfolio.schemas import SampleIn

    user = await create_user(session, roles=("freelancer",))
    return [
        await portfolio_service.add(session, user, SampleIn.model_validate(sample_body(**kwargs)))
        for _ in range(count)
    ]


async def test_training_refuses_another_freelancers_sample(session: AsyncSession) -> None:
    mine = await _samples_of(session, 2)
    theirs = await _samples_of(session, 1)
    owner_id = mine[0].owner_user_id
    with pytest.raises(ProvenanceViolation, match="belongs to user"):
        await portfolio_service.load_for_training(
            session, owner_id=owner_id, sample_ids=[mine[0].id, theirs[0].id], since=utcnow()
        )


async def test_training_refuses_samples_without_consent(session: AsyncSession) -> None:
    samples = await _samples_of(session, 1, consent_to_train=False)
    with pytest.raises(ProvenanceViolation, match="no consent"):
        assert_trainable(samples, owner_id=samples[0].owner_user_id, since=utcnow())


async def test_training_refuses_consent_revoked_before_the_run_started(
    session: AsyncSession,
) -> None:
    samples = await _samples_of(session, 2)
    queued_at = utcnow()
    user_id = samples[0].owner_user_id
    from twinwork.account.service import account_service

    user = await account_service.get(session, user_id)
    assert user is not None
    await portfolio_service.set_consent(session, user, samples[1].id, False)
    with pytest.raises(ProvenanceViolation, match="no consent"):
        await portfolio_service.load_for_training(
            session, owner_id=user_id, sample_ids=[s.id for s in samples], since=queued_at
        )
    # Given again after the run was queued: still refused, the run began on the old decision.
    await portfolio_service.set_consent(session, user, samples[1].id, True)
    with pytest.raises(ProvenanceViolation, match="changed after the run began"):
        await portfolio_service.load_for_training(
            session, owner_id=user_id, sample_ids=[s.id for s in samples], since=queued_at
        )


async def test_data_use_ledger_is_a_hash_chain_that_detects_tampering(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    samples = await _samples_of(session, 3)
    owner_id = samples[0].owner_user_id
    for run_id in (1, 2):
        await portfolio_service.record_data_use(
            session, owner_id=owner_id, model_id=7, run_id=run_id, samples=samples
        )
    from twinwork.account.service import account_service

    user = await account_service.get(session, owner_id)
    assert user is not None
    await session.commit()
    await sign_in(client, user.email)
    token = await account_service.issue_api_token(session, user)
    headers = {"Authorization": f"Bearer {token}"}
    body = (await client.get("/api/v1/portfolio/data-use", headers=headers)).json()
    assert body["chain_valid"] is True
    assert [e["sequence"] for e in body["entries"]] == list(range(1, 7))
    assert body["entries"][0]["prev_hash"] == "0" * 64
    # Samples, the model and the runs by their public ids, as every answer names them.
    first = body["entries"][0]
    assert first["sample_id"] == samples[0].public_id
    assert (first["model_id"], first["run_id"]) == (public_id("model", 7), public_id("run", 1))
    assert all(
        later["prev_hash"] == earlier["record_hash"]
        for earlier, later in zip(body["entries"], body["entries"][1:], strict=False)
    )
    csv_page = await client.get("/dashboard/portfolio/data-use.csv")
    assert csv_page.status_code == 200 and csv_page.text.count("\n") == 7
    assert f",{samples[0].public_id},{samples[0].content_hash},{public_id('model', 7)}," in (
        csv_page.text
    )
    page = (await client.get("/dashboard/portfolio")).text
    ledger = page[page.index('id="data-use"') :]
    # Titles and models in words; the hashes wait in a fold.
    model_reference = public_id("model", 7)[:8].upper()
    assert f"<td>{samples[0].title}</td>" in ledger and f"Model #{model_reference}" in ledger
    assert f'href="/dashboard/models/{public_id("model", 7)}"' in ledger
    assert "<summary>Hashes</summary>" in ledger and samples[0].content_hash[:16] in ledger

    await session.execute(
        update(DataUseRecord)
        .where(DataUseRecord.owner_user_id == owner_id, DataUseRecord.sequence == 2)
        .values(sample_id=999_999)
    )
    session.expire_all()
    tampered = (await client.get("/api/v1/portfolio/data-use", headers=headers)).json()
    assert tampered["chain_valid"] is False


async def test_samples_are_named_by_public_ids_and_a_row_id_names_none(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_json, headers = await api_signup(client, roles=("freelancer",))
    [sample] = await add_samples(client, headers, 1, consent_to_train=False)
    assert re.fullmatch(public_ids.PATTERN, sample["id"]), sample["id"]
    stored = await session.get(PortfolioSample, public_ids.row_id("sample", sample["id"]))
    assert stored is not None and stored.public_id == sample["id"]

    by_row = await client.patch(
        f"{SAMPLES}/{stored.id}", json={"consent_to_train": True}, headers=headers
    )
    assert by_row.status_code == 404
    # Another kind's id for the same row names no sample either.
    as_model = f"{SAMPLES}/{public_id('model', stored.id)}"
    assert (await client.delete(as_model, headers=headers)).status_code == 404
    given = await client.patch(
        f"{SAMPLES}/{sample['id']}", json={"consent_to_train": True}, headers=headers
    )
    assert given.status_code == 200 and given.json()["id"] == sample["id"]

    await sign_in(client, str(user_json["email"]))
    page = (await client.get("/dashboard/portfolio")).text
    assert f'action="/dashboard/portfolio/samples/{sample["id"]}/consent"' in page
    assert f"/samples/{stored.id}/" not in page
    token = await csrf_token(client)
    refused = await client.post(
        f"/dashboard/portfolio/samples/{stored.id}/remove", data={"csrf_token": token}
    )
    assert refused.status_code == 404
