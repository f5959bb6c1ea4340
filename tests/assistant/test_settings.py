"""Settings and the FAQ through the API and the page: validation, pagination, who may see
what (strangers 404, buyers 403, freelancers outside the program 402)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.assistant.factories import FAQ, ask, buyer, seller_with_assistant
from tests.web.test_pages import csrf_token, sign_in, signed_in_user


async def test_settings_read_back_as_saved_and_the_faq_is_replaced_whole(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    body = {
        "name": "Nova",
        "new_clients_only": False,
        "availability": {
            "timezone": "Europe/Berlin",
            "days": ["sat", "mon"],
            "start": "08:30",
            "end": "12:00",
        },
        "handover_keywords": ["Trademark", " trademark ", "invoice"],
        "languages": ["en", "de"],
        "never": "Logos for political campaigns",
        "faq": [{"q": "Do you work weekends?", "a": "Saturdays, yes."}],
    }
    saved = await client.patch("/api/v1/assistant/settings", json=body, headers=seller.headers)
    assert saved.status_code == 200, saved.text
    got = (await client.get("/api/v1/assistant/settings", headers=seller.headers)).json()
    assert got["name"] == "Nova" and got["new_clients_only"] is False
    assert got["availability"] == {
        "timezone": "Europe/Berlin",
        "days": ["mon", "sat"],
        "start": "08:30",
        "end": "12:00",
    }
    assert got["handover_keywords"] == ["trademark", "invoice"]
    assert got["faq"] == [{"q": "Do you work weekends?", "a": "Saturdays, yes."}]
    assert got["enabled"] is True and got["active"] is True


async def test_bad_settings_are_refused_with_the_field_named(client: httpx.AsyncClient) -> None:
    seller = await seller_with_assistant(client)
    cases = [
        ({"availability": {"timezone": "Mars/Olympus"}}, "time zone"),
        ({"availability": {"start": "18:00", "end": "09:00"}}, "after"),
        ({"availability": {"start": "9am"}}, "HH:MM"),
        ({"languages": ["xx"]}, "Unknown language"),
        ({"name": "\u202e"}, "name"),
        ({"faq": [{"q": "Hi?", "a": "x"}]}, "at least"),
        ({"faq": [{"q": "A real question?", "a": ""}]}, "at least"),
        ({"out_of_office_until": "2001-01-01"}, "past"),
        ({"follow_up_hours": 0}, "greater"),
        ({"surprise": True}, "Extra"),
    ]
    for body, words in cases:
        response = await client.patch(
            "/api/v1/assistant/settings", json=body, headers=seller.headers
        )
        assert response.status_code == 422, (body, response.text)
        assert words.lower() in response.text.lower(), (body, response.text)


async def test_faq_entries_are_paginated_and_edited_one_by_one(client: httpx.AsyncClient) -> None:
    seller = await seller_with_assistant(client)
    for number in range(20):
        created = await client.post(
            "/api/v1/assistant/faq",
            json={"q": f"Question number {number}?", "a": f"Answer {number}."},
            headers=seller.headers,
        )
        assert created.status_code == 201, created.text
    first = (await client.get("/api/v1/assistant/faq", headers=seller.headers)).json()
    assert first["total"] == len(FAQ) + 20 and first["pages"] == 2 and len(first["items"]) == 20
    second = (await client.get("/api/v1/assistant/faq?page=2", headers=seller.headers)).json()
    assert len(second["items"]) == len(FAQ)
    missing = await client.get("/api/v1/assistant/faq?page=3", headers=seller.headers)
    assert missing.status_code == 404

    entry = first["items"][0]
    edited = await client.put(
        f"/api/v1/assistant/faq/{entry['id']}",
        json={"q": "Which formats?", "a": "SVG and PNG."},
        headers=seller.headers,
    )
    assert edited.status_code == 200 and edited.json()["a"] == "SVG and PNG."
    removed = await client.delete(f"/api/v1/assistant/faq/{entry['id']}", headers=seller.headers)
    assert removed.status_code == 204


async def test_strangers_get_404_and_buyers_403(client: httpx.AsyncClient) -> None:
    seller = await seller_with_assistant(client)
    entry = (await client.get("/api/v1/assistant/faq", headers=seller.headers)).json()["items"][0]
    await ask(client, await buyer(client), seller, "I need a logo for my bakery, warm colours.")
    [draft] = (await client.get("/api/v1/assistant/drafts", headers=seller.headers)).json()

    other = await seller_with_assistant(client)
    for method, path in (
        ("PUT", f"/api/v1/assistant/faq/{entry['id']}"),
        ("DELETE", f"/api/v1/assistant/faq/{entry['id']}"),
        ("POST", f"/api/v1/assistant/drafts/{draft['id']}/confirm"),
        ("POST", f"/api/v1/assistant/drafts/{draft['id']}/dismiss"),
    ):
        json = {"q": "Taken over?", "a": "Yes."} if method == "PUT" else None
        response = await client.request(method, path, json=json, headers=other.headers)
        assert response.status_code == 404, (path, response.text)
    assert (await client.get("/api/v1/assistant/faq", headers=other.headers)).json()[
        "total"
    ] == len(FAQ)
    assert (await client.get("/api/v1/assistant/handovers", headers=other.headers)).json()[
        "items"
    ] == []

    _, buyer_headers = await api_signup(client, roles=("buyer",))
    for method, path in (
        ("GET", "/api/v1/assistant/settings"),
        ("PATCH", "/api/v1/assistant/settings"),
        ("GET", "/api/v1/assistant/handovers"),
        ("GET", "/api/v1/assistant/drafts"),
    ):
        response = await client.request(
            method, path, json={} if method == "PATCH" else None, headers=buyer_headers
        )
        assert response.status_code == 403, (path, response.text)


async def test_the_settings_page_saves_the_form_and_shows_errors_in_place(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await seller_with_assistant(client)
    await sign_in(client, str(seller.user["email"]))
    page = await client.get("/dashboard/assistant")
    assert page.status_code == 200
    assert "Which file formats do I get?" in page.text and 'id="assistant-status">On' in page.text

    form = {
        "csrf_token": await csrf_token(client),
        "enabled": "on",
        "name": "Nova",
        "timezone": "Europe/Paris",
        "days": ["mon", "tue"],
        "start": "10:00",
        "end": "16:00",
        "out_of_office_mode": "note",
        "handover_keywords": "trademark, invoice",
        "languages": ["en", "fr"],
        "never": "Political logos",
        "follow_up_hours": "6",
        "quiet_hours": "12",
    }
    saved = await client.post("/dashboard/assistant/settings", data=form)
    assert saved.status_code == 303, saved.text
    got = (await client.get("/api/v1/assistant/settings", headers=seller.headers)).json()
    assert got["name"] == "Nova" and got["availability"]["days"] == ["mon", "tue"]
    assert got["languages"] == ["en", "fr"] and got["quiet_hours"] == 12

    bad = await client.post(
        "/dashboard/assistant/settings", data={**form, "start": "18:00", "end": "09:00"}
    )
    assert bad.status_code == 422 and "must come after" in bad.text
    faq = await client.post(
        "/dashboard/assistant/faq",
        data={"csrf_token": await csrf_token(client), "q": "Do you print?", "a": "Files only."},
    )
    assert faq.status_code == 303
    assert "Do you print?" in (await client.get("/dashboard/assistant")).text

    # A freelancer outside the program is told how to join, not shown an error page.
    await signed_in_user(client, session, roles=("freelancer",))
    outside = await client.get("/dashboard/assistant")
    assert outside.status_code == 200 and "Join the creation program" in outside.text


async def test_a_handed_over_question_and_the_freelancers_reply_become_an_faq_suggestion(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    conversation = await ask(client, await buyer(client), seller, "What is your favourite film?")
    assert conversation["handover"]["reason"] == "low_confidence"
    none_yet = await client.get("/api/v1/assistant/faq-suggestions", headers=seller.headers)
    assert none_yet.json() == []
    await client.post(
        f"/api/v1/conversations/{conversation['id']}/messages",
        json={"text": "Spirited Away, every time."},
        headers=seller.headers,
    )
    [suggestion] = (
        await client.get("/api/v1/assistant/faq-suggestions", headers=seller.headers)
    ).json()
    assert suggestion == {
        "handover_id": suggestion["handover_id"],
        "q": "What is your favourite film?",
        "a": "Spirited Away, every time.",
    }
    other = await seller_with_assistant(client)
    stolen = await client.post(
        f"/api/v1/assistant/faq-suggestions/{suggestion['handover_id']}",
        json={"q": suggestion["q"], "a": "Mine now."},
        headers=other.headers,
    )
    assert stolen.status_code == 404
    accepted = await client.post(
        f"/api/v1/assistant/faq-suggestions/{suggestion['handover_id']}",
        json={"q": "Your favourite film?", "a": "Spirited Away."},
        headers=seller.headers,
    )
    assert accepted.status_code == 201, accepted.text
    assert (
        await client.get("/api/v1/assistant/faq-suggestions", headers=seller.headers)
    ).json() == []
    settings = (await client.get("/api/v1/assistant/settings", headers=seller.headers)).json()
    assert {"q": "Your favourite film?", "a": "Spirited Away."} in settings["faq"]


async def test_the_dashboard_counts_conversations_handed_to_the_freelancer(
    client: httpx.AsyncClient,
) -> None:
    seller = await seller_with_assistant(client)
    await ask(client, await buyer(client), seller, "Can I have a discount?")
    await ask(client, await buyer(client), seller, "I want a refund.")
    await sign_in(client, str(seller.user["email"]))
    dashboard = await client.get("/dashboard/freelancer")
    assert 'hx-get="/dashboard/assistant/handover-count"' in dashboard.text
    count = await client.get("/dashboard/assistant/handover-count")
    assert count.status_code == 200
    assert '<span class="stat-value" id="handover-count">2</span>' in count.text
    page = await client.get("/dashboard/assistant")
    assert "Any price other than the listed ones" not in page.text  # the buyer's note stays theirs
    assert "Discount or a different price" in page.text and "Refund" in page.text
