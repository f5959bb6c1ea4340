"""How it works, help, terms and the licence: public, linked from every page's footer, and
quoting the figures in force (the fee, the program price), not figures typed into a page."""

from __future__ import annotations

import httpx
import pytest

from twinwork.config import get_settings
from twinwork.kit.money import format_amount

PAGES = {
    "/how-it-works": "How twinwork works",
    "/help": "Help and FAQ",
    "/terms": "Terms of use",
    "/licence": "The licence, explained",
}


@pytest.mark.parametrize("path", list(PAGES))
async def test_reading_page_is_public_and_linked_from_the_footer(
    client: httpx.AsyncClient, path: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    assert f"<h1>{PAGES[path]}</h1>" in page.text
    footer = page.text[page.text.index('class="site-footer"') :]
    for linked in PAGES:
        assert f'href="{linked}"' in footer


async def test_pages_quote_the_settings_in_force(client: httpx.AsyncClient) -> None:
    settings = get_settings()
    how = (await client.get("/how-it-works")).text
    assert f"{settings.platform_fee_percent}% platform fee" in how
    assert f"{format_amount(settings.program_price_amount)} a month" in how
    help_page = (await client.get("/help")).text
    assert f"{settings.free_previews_per_day} watermarked previews a day" in help_page
    assert f"{settings.order_auto_accept_days} days after delivery" in help_page
