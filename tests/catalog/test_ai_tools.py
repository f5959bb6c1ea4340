"""AI skills on profiles: the AI tools a freelancer works with, from a fixed vocabulary plus
checked free entries, shown as a list and a "works with AI" badge."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.catalog.factories import gig_payload
from tests.order.test_order_page import signed_in_as
from twinwork.catalog.ai_tools import MAX_AI_TOOLS, VOCABULARY, AiToolError, clean_ai_tools


def test_vocabulary_names_take_their_spelling_and_free_entries_are_checked() -> None:
    assert clean_ai_tools(["chatgpt", " stable  diffusion ", "ChatGPT", "Gen-3 Alpha"]) == [
        "ChatGPT",
        "Stable Diffusion",
        "Gen-3 Alpha",
    ]
    assert clean_ai_tools(["", "  "]) == []
    for bad in ("<script>", "https://x.test/tool", "1234", "a" * 31):
        with pytest.raises(AiToolError):
            clean_ai_tools([bad])
    with pytest.raises(AiToolError, match=f"at most {MAX_AI_TOOLS}"):
        clean_ai_tools(list(VOCABULARY[: MAX_AI_TOOLS + 1]))


async def test_a_profile_lists_its_ai_tools_and_works_with_ai(
    client: httpx.AsyncClient,
) -> None:
    vocabulary = (await client.get("/api/v1/ai-tools")).json()
    assert {
        "group": "Voice and music",
        "tools": ["ElevenLabs", "Suno", "Udio", "Whisper", "Descript"],
    } in vocabulary

    _, headers = await api_signup(client, roles=("freelancer",), display_name="Tia Tools")
    saved = await client.patch(
        "/api/v1/me/profile", json={"ai_tools": ["midjourney", "n8n", "Kling 2"]}, headers=headers
    )
    assert saved.status_code == 200, saved.text
    profile = saved.json()
    assert profile["ai_tools"] == ["Midjourney", "n8n", "Kling 2"]
    assert profile["works_with_ai"] is True
    await client.post("/api/v1/gigs", json=gig_payload(), headers=headers)

    page = (await client.get(f"/freelancers/{profile['handle']}")).text
    tools = page[page.index('<ul class="ai-tools"') :]
    assert "<li>Midjourney</li><li>n8n</li><li>Kling 2</li>" in tools
    # The badge on the profile and on each of its gig cards.
    assert page.count("Works with AI</span>") == 2

    refused = await client.patch(
        "/api/v1/me/profile", json={"ai_tools": ["<img src=x>"]}, headers=headers
    )
    assert refused.status_code == 422 and "not a tool's name" in refused.text
    cleared = await client.patch("/api/v1/me/profile", json={"ai_tools": []}, headers=headers)
    assert cleared.json()["works_with_ai"] is False


async def test_the_profile_form_takes_ticked_and_typed_tools(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, headers = await api_signup(client, roles=("freelancer",), display_name="Tia Tools")
    token = await signed_in_as(client, headers)
    form = await client.get("/dashboard/freelancer")
    assert 'name="ai_tools" value="ElevenLabs"' in form.text
    posted = await client.post(
        "/dashboard/profile",
        data={
            "csrf_token": token,
            "headline": "Voice and lyrics",
            "ai_tools": ["ElevenLabs", "Suno"],
            "ai_tools_other": "Kling 2, suno",
        },
    )
    assert posted.status_code == 303, posted.text
    dashboard = (await client.get("/dashboard/freelancer")).text
    assert 'value="ElevenLabs" checked' in dashboard and 'value="Suno" checked' in dashboard
    assert 'id="ai_tools_other" name="ai_tools_other" maxlength="300" value="Kling 2"' in dashboard

    bad = await client.post(
        "/dashboard/profile",
        data={"csrf_token": token, "ai_tools": "Suno", "ai_tools_other": "<b>bold</b>"},
    )
    assert bad.status_code == 422
    assert "not a tool&#39;s name" in bad.text
    # What was sent comes back, ticked, for the person to fix.
    assert 'value="Suno" checked' in bad.text and 'value="ElevenLabs" checked' not in bad.text
