"""The portfolio page: consent as a switch that posts without script, each text readable in
a fold, and new samples filed under the category the freelancer sells in."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.catalog.factories import create_gig
from tests.portfolio.factories import add_samples, sample_body
from tests.web.test_pages import csrf_token, sign_in
from twinwork.account.models import User
from twinwork.kit.public_ids import row_id


async def test_consent_is_a_switch_that_posts_its_opposite(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user_json, headers = await _freelancer(client)
    [sample] = await add_samples(client, headers, 1, consent_to_train=False)
    await sign_in(client, str(user_json["email"]))
    page = await client.get("/dashboard/portfolio")
    switch = re.search(r'<button class="switch"[^>]*>', page.text)
    assert switch and 'role="switch"' in switch.group(0)
    assert 'aria-checked="false"' in switch.group(0)

    # The off switch's form carries consent=on: one click (one post) turns it on, no script.
    form = page.text[page.text.index(f"/samples/{sample['id']}/consent") :]
    assert form.index('name="consent" value="on"') < form.index('class="switch"')
    on = await client.post(
        f"/dashboard/portfolio/samples/{sample['id']}/consent",
        data={"csrf_token": await csrf_token(client), "consent": "on"},
    )
    assert on.status_code == 303
    page = await client.get("/dashboard/portfolio")
    assert 'aria-checked="true"' in page.text and "Given" in page.text
    form = page.text[page.text.index(f"/samples/{sample['id']}/consent") :]
    assert 'name="consent"' not in form[: form.index("</form>")]  # posting it withdraws


async def test_a_samples_text_can_be_read_on_the_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user_json, headers = await _freelancer(client)
    text = "Salt on the window, the kettle sings;\nwe fold the morning into paper wings."
    added = await client.post(
        "/api/v1/portfolio/samples", json=sample_body(content=text), headers=headers
    )
    assert added.status_code == 201, added.text
    await sign_in(client, str(user_json["email"]))
    page = await client.get("/dashboard/portfolio")
    fold = page.text[page.text.index('<details class="sample-text-fold">') :]
    assert fold.startswith('<details class="sample-text-fold"><summary>Read the text</summary>')
    assert 'class="sample-text">Salt on the window, the kettle sings;\nwe fold' in fold


async def test_new_samples_default_to_the_category_the_freelancer_sells_in(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user_json, _headers = await _freelancer(client)
    owner = await session.get(User, row_id("user", user_json["id"]))
    assert owner is not None
    await sign_in(client, str(user_json["email"]))
    before = await client.get("/dashboard/portfolio")
    assert _selected(before.text, "category") == "copywriting"
    for category in ("song-lyrics", "logo-design", "song-lyrics"):
        await create_gig(session, owner, category=category)
    await session.commit()
    page = await client.get("/dashboard/portfolio")
    assert _selected(page.text, "category") == "song-lyrics"
    assert _selected(page.text, "design-category") == "song-lyrics"


def _selected(html: str, select_id: str) -> str:
    block = html[html.index(f'<select id="{select_id}"') :]
    block = block[: block.index("</select>")]
    found = re.search(r'<option value="([^"]+)" selected', block)
    assert found, block[:300]
    return found.group(1)


async def _freelancer(client: httpx.AsyncClient) -> tuple[dict[str, object], dict[str, str]]:
    from tests.account.factories import api_signup

    return await api_signup(client, roles=("freelancer",), display_name="Pat Folio")
