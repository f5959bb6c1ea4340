"""The whole life of a personal text model through the API, on the real packaged model."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.billing.test_routes import top_up
from tests.creation.conftest import TrainedModel, join_program, publish
from tests.portfolio.factories import add_samples
from twinwork.kit.public_ids import row_id
from twinwork.kit.storage import ObjectStorage
from twinwork.ledger.service import ledger_service


async def generate(
    client: httpx.AsyncClient, model_id: object, headers: dict[str, str], brief: str = "A jingle"
) -> httpx.Response:
    return await client.post(
        f"/api/v1/models/{model_id}/generations", json={"brief": brief}, headers=headers
    )


async def buy(
    client: httpx.AsyncClient, generation_id: object, headers: dict[str, str], key: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/generations/{generation_id}/purchase",
        headers={**headers, "Idempotency-Key": key},
    )


async def test_training_run_yields_an_evaluated_version(
    client: httpx.AsyncClient, trained: TrainedModel
) -> None:
    run = trained.run
    assert run["status"] == "succeeded" and run["error"] is None
    assert run["progress"]["fraction"] == 1.0
    metrics = run["metrics"]
    assert set(metrics) == {
        "base_perplexity",
        "personal_perplexity",
        "base_style_similarity",
        "personal_style_similarity",
    }
    assert all(isinstance(v, float) and v > 0 for v in metrics.values())
    model = (await client.get(f"/api/v1/models/{trained.id}", headers=trained.owner)).json()
    assert model["status"] == "draft"
    [version] = model["versions"]
    assert version["id"] == run["version_id"]
    assert len(version["artifact_hash"]) == 64 and version["artifact_bytes"] > 0
    assert version["base_model_id"].startswith("HuggingFaceTB/SmolLM2-135M-Instruct")
    # Exactly the samples it learned from and those held out: four consented samples.
    ids = [s["id"] for s in version["training_samples"] + version["heldout_samples"]]
    assert len(ids) == len(set(ids)) == 4
    assert version["heldout_samples"], "some samples are held out for evaluation"

    data_use = (await client.get("/api/v1/portfolio/data-use", headers=trained.owner)).json()
    assert data_use["chain_valid"] is True
    assert {e["sample_id"] for e in data_use["entries"]} == set(ids)
    assert {e["run_id"] for e in data_use["entries"]} == {run["id"]}


async def test_buyers_cannot_use_a_model_before_it_is_approved_and_active(
    client: httpx.AsyncClient, trained: TrainedModel
) -> None:
    _, buyer = await api_signup(client)
    assert (await client.get(f"/api/v1/models/{trained.id}", headers=buyer)).status_code == 404
    refused = await generate(client, trained.id, buyer)
    assert refused.status_code == 409
    assert "switched this model off" in refused.json()["detail"]
    activate = await client.post(f"/api/v1/models/{trained.id}/activate", headers=trained.owner)
    assert activate.status_code == 409 and "Approve" in activate.json()["detail"]


async def test_preview_purchase_licence_and_certificate(
    client: httpx.AsyncClient, session: AsyncSession, active: TrainedModel
) -> None:
    _, buyer = await api_signup(client, display_name="Bo Buyer")
    await top_up(client, buyer, 1000)
    preview = await generate(client, active.id, buyer, "Lyrics about a harbour at night")
    assert preview.status_code == 201, preview.text
    generation = preview.json()
    assert generation["preview"].endswith("…") and generation["text"] is None
    assert generation["preview_notice"].startswith("Preview:")
    assert generation["price_amount"] == 400
    assert (await client.get(f"/api/v1/generations/{generation['id']}", headers=buyer)).json()[
        "text"
    ] is None

    key = str(uuid.uuid4())
    bought = await buy(client, generation["id"], buyer, key)
    assert bought.status_code == 200, bought.text
    body = bought.json()
    shown = generation["preview"].removesuffix(" …").split()
    assert body["text"].split()[: len(shown)] == shown
    assert body["license"]["scope"] == "commercial" and body["license"]["price_amount"] == 400
    certificate = body["certificate"]
    assert certificate["algorithm"] == "Ed25519"
    assert certificate["payload"]["owner"]["name"] == "Rae Lyric"
    assert certificate["payload"]["licensee"]["name"] == "Bo Buyer"

    # Retried with the same key: the same purchase, charged once.
    again = await buy(client, generation["id"], buyer, key)
    assert again.status_code == 200 and again.json()["certificate"]["id"] == certificate["id"]
    # Retried with another key: refused, nothing charged.
    other = await buy(client, generation["id"], buyer, str(uuid.uuid4()))
    assert other.status_code == 409
    wallet = (await client.get("/api/v1/wallet", headers=buyer)).json()
    assert wallet["balance_amount"] == 600

    # Freelancer gets 80% pending, the platform 20%; the books balance.
    check = await ledger_service.check(session)
    assert check.balanced and check.total == 0
    history = (await client.get("/api/v1/ledger/transactions", headers=active.owner)).json()
    assert history["items"][0]["entries"] == [
        {"account_kind": "freelancer_pending", "amount": 320, "currency": "USD"}
    ]

    # Anyone can fetch and verify the certificate; any change breaks it.
    public = (await client.get(f"/api/v1/certificates/{certificate['id']}")).json()
    assert public == certificate
    verify = await client.post("/api/v1/certificates/verify", json=certificate)
    assert verify.json() == {"valid": True, "reason": "signed by twinwork, unaltered."}
    with_text = await client.post(
        "/api/v1/certificates/verify", json={**certificate, "text": body["text"]}
    )
    assert with_text.json()["valid"] is True
    wrong_text = await client.post(
        "/api/v1/certificates/verify", json={**certificate, "text": body["text"] + "!"}
    )
    assert wrong_text.json()["valid"] is False
    forged = {**certificate, "payload": {**certificate["payload"], "licensee": {"name": "Eve"}}}
    result = (await client.post("/api/v1/certificates/verify", json=forged)).json()
    assert result["valid"] is False and "signature does not match" in result["reason"]


async def test_purchase_needs_a_key_money_and_the_buyers_own_generation(
    client: httpx.AsyncClient, active: TrainedModel
) -> None:
    _, buyer = await api_signup(client)
    _, stranger = await api_signup(client)
    generation = (await generate(client, active.id, buyer)).json()
    no_key = await client.post(f"/api/v1/generations/{generation['id']}/purchase", headers=buyer)
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()["detail"]
    broke = await buy(client, generation["id"], buyer, "k1")
    assert broke.status_code == 402
    theirs = await buy(client, generation["id"], stranger, "k2")
    assert theirs.status_code == 404
    assert (
        await client.get(f"/api/v1/generations/{generation['id']}", headers=stranger)
    ).status_code == 404
    own = await generate(client, active.id, active.owner)
    assert own.status_code == 201
    refused = await buy(client, own.json()["id"], active.owner, "k3")
    assert refused.status_code == 409 and "your own model" in refused.json()["detail"]


async def test_deactivation_refuses_at_once_and_reactivation_restores(
    client: httpx.AsyncClient, active: TrainedModel
) -> None:
    _, buyer = await api_signup(client)
    assert (await generate(client, active.id, buyer)).status_code == 201
    off = await client.post(f"/api/v1/models/{active.id}/deactivate", headers=active.owner)
    assert off.json()["status"] == "inactive"
    assert (await client.get(f"/api/v1/models/{active.id}")).json()["status"] == "inactive"
    refused = await generate(client, active.id, buyer)
    assert refused.status_code == 409
    assert "switched this model off" in refused.json()["detail"]
    await client.post(f"/api/v1/models/{active.id}/activate", headers=active.owner)
    assert (await generate(client, active.id, buyer)).status_code == 201


async def test_a_freelancer_cannot_act_on_another_freelancers_model(
    client: httpx.AsyncClient, active: TrainedModel
) -> None:
    _, other = await api_signup(client, roles=("freelancer",))
    model_url = f"/api/v1/models/{active.id}"
    for response in (
        await client.post(f"{model_url}/deactivate", headers=other),
        await client.patch(model_url, json={"price_amount": 100}, headers=other),
        await client.delete(model_url, headers=other),
        await client.post(f"{model_url}/training-runs", headers=other),
        await client.get(f"/api/v1/training-runs/{active.run['id']}", headers=other),
    ):
        assert response.status_code == 404, response.text
    still = (await client.get(model_url)).json()
    assert still["status"] == "active" and still["price_amount"] == 400


async def test_erasure_deletes_artifacts_keeps_licences_and_signs_a_receipt(
    client: httpx.AsyncClient, active: TrainedModel, storage: ObjectStorage
) -> None:
    _, buyer = await api_signup(client)
    await top_up(client, buyer, 1000)
    bought = (await generate(client, active.id, buyer)).json()
    purchase = (await buy(client, bought["id"], buyer, "erase-test")).json()
    unbought = (await generate(client, active.id, buyer)).json()
    prefix = f"models/{row_id('model', active.id)}/"  # storage keys keep row ids
    assert await storage.list(prefix)

    erased = await client.delete(f"/api/v1/models/{active.id}", headers=active.owner)
    assert erased.status_code == 200, erased.text
    receipt = erased.json()
    deleted = receipt["payload"]["deleted"]
    assert deleted["adapter_files"] >= 2 and deleted["versions"] == 1
    assert deleted["unpurchased_previews"] == 1
    assert all(len(a["sha256"]) == 64 for a in deleted["adapters"])
    assert receipt["payload"]["kept"] == {"licences": 1, "certificates": 1}
    assert await storage.list(prefix) == []
    from twinwork.kit.signing import verify_signature

    assert verify_signature(receipt["public_key"], receipt["payload"], receipt["signature"])

    # A receipt is signed by the same key but is no ownership certificate.
    not_a_certificate = await client.post("/api/v1/certificates/verify", json=receipt)
    assert not_a_certificate.json()["valid"] is False
    # Erasing again returns the same receipt; the model refuses everything.
    again = await client.delete(f"/api/v1/models/{active.id}", headers=active.owner)
    assert again.json()["id"] == receipt["id"]
    assert (await generate(client, active.id, buyer)).status_code == 410
    assert (
        await client.get(f"/api/v1/generations/{unbought['id']}", headers=buyer)
    ).status_code == 404
    # What was bought stays: the text, the licence and a certificate that still verifies.
    kept = await client.get(f"/api/v1/generations/{bought['id']}", headers=buyer)
    assert kept.json()["text"] == purchase["text"]
    verify = await client.post("/api/v1/certificates/verify", json=purchase["certificate"])
    assert verify.json()["valid"] is True
    retrain = await client.post(f"/api/v1/models/{active.id}/training-runs", headers=active.owner)
    assert retrain.status_code == 410


@pytest.mark.parametrize(
    ("samples", "consented", "message"),
    [(0, 0, "portfolio is empty"), (2, 2, "at least 3"), (4, 0, "0 of your 4 samples")],
)
async def test_training_needs_enough_consented_samples(
    client: httpx.AsyncClient, samples: int, consented: int, message: str
) -> None:
    _, owner = await api_signup(client, roles=("freelancer",))
    await join_program(client, owner)
    if consented:
        await add_samples(client, owner, consented)
    if samples - consented:
        await add_samples(client, owner, samples - consented, consent_to_train=False)
    model = (await client.post("/api/v1/models", json={"name": "M"}, headers=owner)).json()
    response = await client.post(f"/api/v1/models/{model['id']}/training-runs", headers=owner)
    assert response.status_code == 422
    assert message in response.json()["detail"]


async def test_approving_an_earlier_version_rolls_back(
    client: httpx.AsyncClient,
    active: TrainedModel,
    sessionmaker: Any,
    storage: ObjectStorage,
) -> None:
    from twinwork.creation.training import execute_run

    second = await client.post(f"/api/v1/models/{active.id}/training-runs", headers=active.owner)
    assert (
        await execute_run(sessionmaker, row_id("run", second.json()["id"]), storage) == "succeeded"
    )
    model = (await client.get(f"/api/v1/models/{active.id}", headers=active.owner)).json()
    newest, first = model["versions"]
    assert (newest["number"], first["number"]) == (2, 1)
    assert model["approved_version_id"] == first["id"]  # a new version waits for approval
    await client.post(
        f"/api/v1/models/{active.id}/versions/{newest['id']}/approve", headers=active.owner
    )
    _, buyer = await api_signup(client)
    assert (await generate(client, active.id, buyer)).json()["version_id"] == newest["id"]
    rolled = await client.post(
        f"/api/v1/models/{active.id}/versions/{first['id']}/approve", headers=active.owner
    )
    assert rolled.json()["approved_version_id"] == first["id"]
    assert (await generate(client, active.id, buyer)).json()["version_id"] == first["id"]


async def test_free_previews_are_limited_per_buyer(
    client: httpx.AsyncClient, active: TrainedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.billing.test_routes import top_up
    from twinwork.config import get_settings

    monkeypatch.setattr(get_settings(), "free_previews_per_day", 2)
    _, buyer = await api_signup(client)
    previews = [await generate(client, active.id, buyer) for _ in range(2)]
    assert [p.status_code for p in previews] == [201] * 2
    third = await generate(client, active.id, buyer)
    assert third.status_code == 429 and "free previews" in third.json()["detail"]
    _, other = await api_signup(client)
    assert (await generate(client, active.id, other)).status_code == 201
    # A bought preview is no longer free: it gives its place back.
    await top_up(client, buyer, 1000)
    bought = await client.post(
        f"/api/v1/generations/{previews[0].json()['id']}/purchase",
        headers={**buyer, "Idempotency-Key": "buy-first"},
    )
    assert bought.status_code == 200, bought.text
    assert (await generate(client, active.id, buyer)).status_code == 201


async def test_gig_and_profile_pages_offer_the_active_model(
    client: httpx.AsyncClient, session: AsyncSession, active: TrainedModel
) -> None:
    from tests.catalog.factories import create_gig
    from twinwork.account.service import account_service
    from twinwork.catalog.service import profile_service

    owner = await account_service.get(session, row_id("user", active.owner_user["id"]))
    assert owner is not None
    gig = await create_gig(session, owner)
    profile = await profile_service.for_user(session, owner)
    for url in (f"/gigs/{gig.public_id}", f"/freelancers/{profile.handle}"):
        page = await client.get(url)
        assert "AI model available" in page.text and "$4" in page.text, url
        assert f"/models/{active.id}" in page.text
    await client.post(f"/api/v1/models/{active.id}/deactivate", headers=active.owner)
    assert "AI model available" not in (await client.get(f"/gigs/{gig.public_id}")).text


async def test_training_and_selling_need_a_program_membership(
    client: httpx.AsyncClient, trained: TrainedModel
) -> None:
    _, outsider = await api_signup(client, roles=("freelancer",))
    await add_samples(client, outsider, 3)
    model = (await client.post("/api/v1/models", json={"name": "M"}, headers=outsider)).json()
    refused = await client.post(f"/api/v1/models/{model['id']}/training-runs", headers=outsider)
    assert refused.status_code == 402
    assert "creation program" in refused.json()["detail"]

    # A member whose membership ends keeps the model, switched off; activating needs membership.
    await publish(client, trained)
    cancel = await client.delete("/api/v1/subscriptions/current", headers=trained.owner)
    assert cancel.json()["cancel_at_period_end"] is True and cancel.json()["member"] is True
    assert (await client.get(f"/api/v1/models/{trained.id}")).json()["status"] == "active"
