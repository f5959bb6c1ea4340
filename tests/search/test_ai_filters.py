"""Finding the AI offer: "AI available" (an active model: AI or hybrid work) and "works with
AI" (AI tools on the profile) as search filters, and the cards' "AI model from $X" badge."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.catalog.factories import create_gig
from tests.catalog.test_ai_offer import TIERED, active_model

TITLE = "Quillorant {} lyrics for your band"


async def marketplace(session: AsyncSession) -> dict[str, str]:
    """Three sellers of one kind of gig: with an active model, with AI tools listed, with
    a model switched off."""
    with_model = await create_user(session, roles=("freelancer",))
    with_tools = await create_user(session, roles=("freelancer",))
    switched_off = await create_user(session, roles=("freelancer",))
    gigs = {
        "model": await create_gig(
            session, with_model, title=TITLE.format("modelled"), packages=TIERED
        ),
        "tools": await create_gig(session, with_tools, title=TITLE.format("tooled")),
        "off": await create_gig(session, switched_off, title=TITLE.format("switched")),
    }
    await active_model(session, with_model)
    (await active_model(session, switched_off)).is_active = False
    with_tools_profile = gigs["tools"].freelancer
    with_tools_profile.ai_tools = ["Midjourney"]
    with_tools_profile.works_with_ai = True
    await session.commit()
    return {name: gig.public_id for name, gig in gigs.items()}


async def found(client: httpx.AsyncClient, **filters: str) -> dict[str, int | None]:
    response = await client.get("/api/v1/search", params={"q": "quillorant", **filters})
    assert response.status_code == 200, response.text
    return {hit["gig"]["id"]: hit["ai_price_amount"] for hit in response.json()["results"]}


async def test_ai_available_finds_only_gigs_with_an_active_model(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    gigs = await marketplace(session)
    everything = await found(client)
    assert set(everything) == set(gigs.values())
    # The badge's price: the cheapest package made by AI (standard follows the model's $4).
    assert everything == {gigs["model"]: 400, gigs["tools"]: None, gigs["off"]: None}
    assert await found(client, ai_available="true") == {gigs["model"]: 400}
    assert await found(client, works_with_ai="true") == {gigs["tools"]: None}
    assert await found(client, ai_available="true", works_with_ai="true") == {}
    bad = await client.get("/api/v1/search", params={"ai_available": "maybe"})
    assert bad.status_code == 422


async def test_search_page_filters_and_badges_the_ai_offer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    gigs = await marketplace(session)
    page = (await client.get("/search", params={"q": "quillorant", "ai": "1"})).text
    assert f'href="/gigs/{gigs["model"]}"' in page
    assert f'href="/gigs/{gigs["tools"]}"' not in page
    assert "AI model · from $4</span>" in page
    # The filter stays ticked, and the page links keep it.
    assert '<input id="ai" name="ai" type="checkbox" value="1" checked>' in page
    tools = (await client.get("/search", params={"q": "quillorant", "works_with_ai": "1"})).text
    assert f'href="/gigs/{gigs["tools"]}"' in tools and "Works with AI</span>" in tools
    assert f'href="/gigs/{gigs["model"]}"' not in tools
    # Anything but "1" reads as unticked.
    odd = (await client.get("/search", params={"q": "quillorant", "ai": "yes"})).text
    assert f'href="/gigs/{gigs["tools"]}"' in odd
