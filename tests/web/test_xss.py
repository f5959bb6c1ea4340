"""What people write is shown back as text, never run: script payloads in every user-written
field (names, profile, gig, packages, portfolio, briefs, deliveries, revision requests,
reviews, searches), then every page each role can reach, crawled from the route table and the
links on the pages, must carry them escaped."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import quote, urljoin, urlsplit

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup, create_user
from tests.billing.test_routes import top_up
from tests.catalog.factories import gig_payload
from tests.portfolio.factories import sample_body
from tests.web.test_pages import sign_in

MARK = "tw-xss"
PAYLOADS = (
    f"<script>alert('{MARK}')</script>",
    f'"><img src=x onerror=alert("{MARK}")>',
    f"</textarea><svg onload=alert('{MARK}')>",
    f"javascript:alert('{MARK}')",
)
SCRIPT = PAYLOADS[0]
# What an unescaped payload leaves in HTML; its escaped form (&lt;script&gt;, &#34;&gt;) never
# matches. A javascript: URL only runs from an attribute, so that is where it is looked for.
DANGEROUS = re.compile(
    rf"<script>alert\('{MARK}'\)|<img src=x onerror=|<svg onload=alert"
    rf"|(href|src|action)=[\"']?javascript:alert\('{MARK}"
)
SKIPPED = re.compile(r"^/(static|api|logout|healthz|docs|redoc|openapi)|/download|\.(zip|png)$")
MAX_PAGES = 120


def mixed(text: str, payload: str) -> str:
    """A believable value with the payload inside, long enough for minimum lengths."""
    return f"{text} {payload} {text}"


async def plant_payloads(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str]]:
    """Every user-written field of a freelancer, a gig, a sample and an order gets a payload."""
    _, seller = await api_signup(client, roles=("freelancer",), display_name="Sam Seller")
    profile = await client.patch(
        "/api/v1/me/profile",
        json={
            "headline": mixed("Lyrics for weddings", PAYLOADS[1]),
            "bio": mixed("I write songs about harbours and tides.", SCRIPT),
            "skills": ["lyrics", PAYLOADS[2][:30]],
        },
        headers=seller,
    )
    assert profile.status_code == 200, profile.text
    gig = await client.post(
        "/api/v1/gigs",
        json=gig_payload(
            title=mixed("I will write", SCRIPT)[:80],
            description=mixed("Songs for your big day, written to order.", PAYLOADS[2]),
            requirements=mixed("Tell me how you met.", PAYLOADS[1]),
            packages=[
                {
                    "name": "basic",
                    "title": mixed("Verse", PAYLOADS[1])[:60],
                    "summary": mixed("One verse and a chorus", SCRIPT),
                    "price_amount": 4500,
                    "delivery_days": 3,
                    "revisions": 1,
                }
            ],
        ),
        headers=seller,
    )
    assert gig.status_code == 201, gig.text
    sample = await client.post(
        "/api/v1/portfolio/samples",
        json=sample_body(title=mixed("Tide", SCRIPT)[:100], content=mixed("Lanterns", PAYLOADS[2])),
        headers=seller,
    )
    assert sample.status_code == 201, sample.text

    _, buyer = await api_signup(client, display_name="Bo Buyer")
    await top_up(client, buyer, 20_000)
    placed = await client.post(
        "/api/v1/orders",
        json={
            "gig_id": gig.json()["id"],
            "package": "basic",
            "kind": "human",
            "brief": mixed("A song for Ana and Tom", SCRIPT),
        },
        headers=buyer,
    )
    assert placed.status_code == 201, placed.text
    url = f"/api/v1/orders/{placed.json()['id']}"
    for path, body, who in (
        ("deliveries", {"text": mixed("Here is the verse", PAYLOADS[1])}, seller),
        ("revisions", {"message": mixed("Make it longer", PAYLOADS[2])}, buyer),
        ("deliveries", {"text": mixed("The longer verse", SCRIPT)}, seller),
        ("accept", None, buyer),
        ("reviews", {"rating": 5, "text": mixed("Lovely song", SCRIPT)}, buyer),
    ):
        done = await client.post(f"{url}/{path}", json=body, headers=who)
        assert done.status_code in (200, 201), done.text
    return seller, buyer


def page_routes_without_parameters(app: object) -> list[str]:
    paths = {
        route.path
        for route in iter_route_contexts(app.routes)  # type: ignore[attr-defined]
        if "GET" in (route.methods or ()) and "{" not in route.path
    }
    return sorted(path for path in paths if not SKIPPED.search(path))


def shape(path: str) -> str:
    # A row's segment, a counter or a public id, is one shape: one gig page stands for all.
    return re.sub(r"/(?:\d+|[a-z2-7]{26})(?=/|$)", "/{id}", urlsplit(path).path)


async def crawl(client: httpx.AsyncClient, seeds: list[str]) -> tuple[list[str], dict[str, str]]:
    """Visit pages breadth first (one of each shape); return the pages that show a payload
    (escaped) and the unsafe ones."""
    queue = deque(seeds)
    seen: set[str] = set()
    unsafe: dict[str, str] = {}
    shown: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        key = shape(path) if "?" not in path else path
        if key in seen or SKIPPED.search(urlsplit(path).path):
            continue
        seen.add(key)
        response = await client.get(path)
        visited += 1
        if "html" not in response.headers.get("content-type", ""):
            continue
        if MARK in response.text:
            shown.append(path)
        found = DANGEROUS.search(response.text)
        if found:
            start = max(found.start() - 80, 0)
            unsafe[path] = response.text[start : found.end() + 40]
        for href in re.findall(r'href="([^"#]+)"', response.text):
            target = urlsplit(urljoin("http://testserver" + path, href))
            if target.netloc == "testserver" and target.path.startswith("/"):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return shown, unsafe


@pytest.mark.parametrize("role", ["visitor", "buyer", "freelancer", "admin"])
async def test_every_page_shows_what_people_wrote_as_text(
    app: object, client: httpx.AsyncClient, session: AsyncSession, role: str
) -> None:
    await plant_payloads(client)
    searches = [f"/search?q={quote(SCRIPT)}", f"/trends/terms/{quote(SCRIPT, safe='')}"]
    if role != "visitor":
        # The planted accounts signed up through the API; the page sessions use accounts
        # of each role that can see the orders and the admin pages.
        if role == "admin":
            admin = await create_user(session, roles=("admin",))
            await session.commit()
            await sign_in(client, admin.email)
        else:
            await sign_in_as_party(client, session, role)
    seeds = [*page_routes_without_parameters(app), *searches]
    shown, unsafe = await crawl(client, seeds)
    # The payloads really are on the pages crawled: the search, the gig and the profile for
    # everyone; the order, the portfolio or the admin's lists for the signed in.
    shapes = {shape(path) for path in shown}
    assert {"/search", "/gigs/{id}"} <= shapes, shapes
    assert len(shapes) >= (3 if role == "visitor" else 5), shapes
    assert not unsafe, "\n\n".join(f"{path}:\n{snippet}" for path, snippet in unsafe.items())


async def sign_in_as_party(client: httpx.AsyncClient, session: AsyncSession, role: str) -> None:
    """Sign the page session in as the planted order's buyer or freelancer."""
    from sqlalchemy import select

    from twinwork.account.models import User

    name = "Bo Buyer" if role == "buyer" else "Sam Seller"
    email = await session.scalar(
        select(User.email).where(User.display_name == name).order_by(User.id.desc()).limit(1)
    )
    assert email
    await sign_in(client, email)
