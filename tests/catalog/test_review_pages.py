"""Reviews in public: on the gig page (that gig's orders) and the profile page (all work)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.catalog.factories import create_gig, row_id_links
from tests.order.test_reviews import reviewed_order
from twinwork.kit.db import utcnow
from twinwork.order.models import OrderKind


def review_cards(page: str) -> list[str]:
    """The text of each review card on the page, in order, tags and spacing removed."""
    section = page.split('id="reviews"', 1)[1].split("</section>", 1)[0]
    cards = re.findall(r'<li class="card review">(.*?)</li>', section, re.S)
    return [html.unescape(" ".join(re.sub(r"<[^>]+>", " ", card).split())) for card in cards]


async def test_gig_page_lists_its_reviews_newest_first_with_first_names_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await create_user(session, roles=("freelancer",), display_name="Rae Seller")
    gig = await create_gig(session, seller, title="Wedding vows with a sea shanty feel")
    other_gig = await create_gig(session, seller, title="Toasts for the best man")
    ana = await create_user(session, display_name="Ana Lima Souza")
    joe = await create_user(session, display_name="Joe")
    now = utcnow()
    await reviewed_order(session, gig, ana, 5, "Made us cry.", at=now - timedelta(days=3))
    await reviewed_order(session, gig, joe, 3, "", kind=OrderKind.AI, at=now - timedelta(days=1))
    await reviewed_order(session, gig, ana, 4, "Good <b>draft</b>", kind=OrderKind.HYBRID, at=now)
    await reviewed_order(session, other_gig, joe, 1, "Not for this gig.", at=now)
    await session.commit()

    page = await client.get(f"/gigs/{gig.public_id}")
    assert page.status_code == 200
    day = now.strftime("%Y-%m-%d")
    assert review_cards(page.text) == [
        f"★★★★☆ Rated 4 out of 5 Ana Hybrid {day} Good <b>draft</b>",
        f"★★★☆☆ Rated 3 out of 5 Joe AI {(now - timedelta(days=1)).strftime('%Y-%m-%d')}",
        f"★★★★★ Rated 5 out of 5 Ana By hand {(now - timedelta(days=3)):%Y-%m-%d} Made us cry.",
    ]
    # The text is the buyer's, shown as text; their surname stays private.
    assert "Good &lt;b&gt;draft&lt;/b&gt;" in page.text
    assert "Lima" not in page.text and "Souza" not in page.text
    assert "No reviews yet" not in page.text.split('id="reviews"', 1)[1].split("</section>")[0]
    assert 'class="pagination"' not in page.text

    profile = await client.get(f"/freelancers/{gig.freelancer.handle}")
    assert profile.status_code == 200
    cards = review_cards(profile.text)
    assert len(cards) == 4 and cards[0].endswith("Not for this gig.")
    assert "Lima" not in profile.text


async def test_reviews_come_five_to_a_page_with_their_own_page_links(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await create_user(session, roles=("freelancer",), display_name="Pat Seller")
    gig = await create_gig(session, seller)
    buyer = await create_user(session, display_name="Kim Buyer")
    now = utcnow()
    for n in range(7):
        await reviewed_order(session, gig, buyer, 5, f"Review number {n}", at=now + timedelta(n))
    await session.commit()

    first = await client.get(f"/gigs/{gig.public_id}")
    assert [card.split()[-1] for card in review_cards(first.text)] == ["6", "5", "4", "3", "2"]
    assert f'href="/gigs/{gig.public_id}?reviews_page=2#reviews"' in first.text
    second = await client.get(f"/gigs/{gig.public_id}", params={"reviews_page": 2})
    assert [card.split()[-1] for card in review_cards(second.text)] == ["1", "0"]
    assert f'href="/gigs/{gig.public_id}?reviews_page=1#reviews"' in second.text
    assert "Page 2 of 2" in second.text

    handle = gig.freelancer.handle
    profile = await client.get(f"/freelancers/{handle}", params={"reviews_page": 2})
    assert len(review_cards(profile.text)) == 2
    assert f'href="/freelancers/{handle}?reviews_page=1#reviews"' in profile.text

    past_the_end = await client.get(f"/gigs/{gig.public_id}", params={"reviews_page": 3})
    assert past_the_end.status_code == 404 and "Page 3 does not exist" in past_the_end.text
    nonsense = await client.get(f"/gigs/{gig.public_id}", params={"reviews_page": "0"})
    assert nonsense.status_code == 422


async def test_pages_without_reviews_say_so_and_carry_no_inline_style(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await create_user(session, roles=("freelancer",))
    gig = await create_gig(session, seller)
    await session.commit()
    for url in (f"/gigs/{gig.public_id}", f"/freelancers/{gig.freelancer.handle}"):
        page = await client.get(url)
        assert page.status_code == 200
        section = page.text.split('id="reviews"', 1)[1].split("</section>", 1)[0]
        assert "No reviews yet" in section and review_cards(page.text) == []
        assert "style=" not in page.text and "<table" not in section
        assert row_id_links(page.text) == []
