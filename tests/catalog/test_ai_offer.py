"""The AI offer per package: each package priced by hand, by AI and hybrid, the toggle at the
top of each package box, orders quoted at the package's price, prices checked at the edge."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup, create_user
from tests.catalog.factories import create_gig, gig_payload
from tests.creation.factories import stored_model
from tests.order.test_order_page import signed_in_as
from tests.order.test_orders import funded_buyer
from twinwork.account.models import User
from twinwork.catalog.models import Gig, GigPackage
from twinwork.catalog.offer import gig_offers, lowest_ai_amount, package_offer
from twinwork.creation.models import PersonalModel
from twinwork.kit import public_ids
from twinwork.order.models import OrderKind
from twinwork.order.schemas import OrderIn
from twinwork.order.service import order_service

PROBLEM = "application/problem+json"


@dataclass
class Prices:
    price_amount: int | None
    refinement_price_amount: int | None


def package(price: int, ai: int | None = None, hybrid: int | None = None) -> GigPackage:
    return GigPackage(
        name="basic",
        price_amount=price,
        currency="USD",
        ai_price_amount=ai,
        hybrid_price_amount=hybrid,
    )


def test_a_package_prices_each_way_and_follows_the_model_where_unpriced() -> None:
    model = Prices(price_amount=600, refinement_price_amount=2500)
    priced = package_offer(package(14000, ai=2800, hybrid=8400), model)
    assert (priced.human_amount, priced.ai_amount, priced.hybrid_amount) == (14000, 2800, 8400)
    assert priced.ways == ("human", "ai", "hybrid")
    # Unpriced: the model's per-use price, and that plus its refinement price.
    follows = package_offer(package(3000), model)
    assert (follows.ai_amount, follows.hybrid_amount) == (600, 3100)
    # A model without a refinement price offers no hybrid work unless the package prices it.
    no_refinement = Prices(price_amount=600, refinement_price_amount=None)
    assert package_offer(package(3000), no_refinement).ways == ("human", "ai")
    assert package_offer(package(3000, hybrid=1500), no_refinement).hybrid_amount == 1500
    # No active model: by hand only, whatever the package says.
    assert package_offer(package(3000, ai=900, hybrid=1500), None).ways == ("human",)
    assert lowest_ai_amount([priced, follows]) == 600
    assert lowest_ai_amount([package_offer(package(3000), None)]) is None


async def active_model(
    session: AsyncSession, owner: User, price: int = 400, refinement: int | None = 1500
) -> PersonalModel:
    """An approved, priced, switched-on model (no real training: nothing here generates)."""
    stored = await stored_model(session, owner, approved=True, price_amount=price)
    stored.model.refinement_price_amount = refinement
    stored.model.is_active = True
    await session.flush()
    return stored.model


TIERED = [
    {
        "name": "basic",
        "price_amount": 4500,
        "delivery_days": 3,
        "revisions": 1,
        "ai_price_amount": 900,
        "hybrid_price_amount": 3000,
    },
    # Unpriced: follows the model.
    {"name": "standard", "price_amount": 9000, "delivery_days": 5, "revisions": 3},
]


async def seller_with_model(session: AsyncSession) -> tuple[User, Gig]:
    seller = await create_user(session, roles=("freelancer",), display_name="Ola Offer")
    gig = await create_gig(session, seller, packages=TIERED)
    await active_model(session, seller)
    await session.commit()
    return seller, gig


async def test_the_gig_api_takes_ai_and_hybrid_prices_per_package(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    created = await client.post("/api/v1/gigs", json=gig_payload(packages=TIERED), headers=headers)
    assert created.status_code == 201, created.text
    packages = created.json()["packages"]
    assert [(p["ai_price_amount"], p["hybrid_price_amount"]) for p in packages] == [
        (900, 3000),
        (None, None),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ai_price_amount": 0}, "AI prices run from $0.50"),
        ({"ai_price_amount": -500}, "AI prices run from $0.50"),
        ({"hybrid_price_amount": 100}, "Hybrid prices run from $5"),
        ({"hybrid_price_amount": 5_000_001}, "Hybrid prices run from $5"),
        ({"ai_price_amount": "nine"}, "integer"),
    ],
)
async def test_ai_and_hybrid_prices_must_be_positive_money(
    client: httpx.AsyncClient, changes: dict[str, object], message: str
) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    basic = {**TIERED[0], **changes}
    response = await client.post(
        "/api/v1/gigs", json=gig_payload(packages=[basic]), headers=headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert message in response.text


def package_box(page: str, name: str) -> str:
    start = page.index(f'id="package-{name}"')
    return page[start : page.index("</section>", start)]


async def test_each_package_box_opens_with_a_by_hand_ai_hybrid_toggle(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, gig = await seller_with_model(session)
    buyer = await funded_buyer(client)
    await signed_in_as(client, buyer)
    page = (await client.get(f"/gigs/{gig.public_id}")).text
    basic, standard = package_box(page, "basic"), package_box(page, "standard")
    # The toggle comes first in the box, before the title and prices; one radio group that
    # the order form sends as "kind", by hand chosen until the buyer picks another way.
    assert basic.index('class="way-toggle"') < basic.index("<h2>")
    radios = re.findall(r'<input type="radio" name="(\w+)" value="(\w+)"( checked)?>', basic)
    assert radios == [("kind", "human", " checked"), ("kind", "ai", ""), ("kind", "hybrid", "")]
    assert re.findall(r"<span>([^<]+)</span></label>", basic) == [
        "By hand",
        "AI",
        "Hybrid",
    ]
    # Each way at this package's own price: not one AI price under every package.
    prices = dict(re.findall(r'<span class="price" data-way="(\w+)">(\$[\d.,]+)', basic))
    assert prices == {"human": "$45", "ai": "$9", "hybrid": "$30"}
    prices = dict(re.findall(r'<span class="price" data-way="(\w+)">(\$[\d.,]+)', standard))
    assert prices == {"human": "$90", "ai": "$4", "hybrid": "$19"}
    assert "AI model · from $4</span>" in page

    # A visitor sees the same toggle (it only shows prices), each package its own group.
    client.cookies.clear()
    anonymous = package_box((await client.get(f"/gigs/{gig.public_id}")).text, "basic")
    assert 'name="way-basic" value="ai"' in anonymous and 'name="kind"' not in anonymous


async def test_without_an_active_model_a_package_is_by_hand_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await create_user(session, roles=("freelancer",))
    gig = await create_gig(session, seller, packages=TIERED)
    model = await active_model(session, seller)
    model.is_active = False  # switched off: no AI or hybrid work, whatever the prices say
    await session.commit()
    buyer = await funded_buyer(client)
    await signed_in_as(client, buyer)
    basic = package_box((await client.get(f"/gigs/{gig.public_id}")).text, "basic")
    assert "way-toggle" not in basic and 'data-way="ai"' not in basic
    assert '<input type="hidden" name="kind" value="human">' in basic
    assert "$45" in basic and "AI model ·" not in basic


async def test_ai_and_hybrid_orders_are_quoted_at_the_package_price(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, gig = await seller_with_model(session)
    buyer = await create_user(session)

    async def quoted(package: str, kind: OrderKind) -> int:
        body = OrderIn(gig_id=gig.public_id, package=package, kind=kind, brief="A verse about rain")
        return (await order_service.quote(session, buyer, body)).price_amount

    assert await quoted("basic", OrderKind.HUMAN) == 4500
    assert await quoted("basic", OrderKind.AI) == 900
    assert await quoted("basic", OrderKind.HYBRID) == 3000
    assert await quoted("standard", OrderKind.AI) == 400
    assert await quoted("standard", OrderKind.HYBRID) == 400 + 1500

    # The checkout summary the buyer reads before paying says the same.
    headers = await funded_buyer(client)
    token = await signed_in_as(client, headers)
    summary = await client.post(
        "/orders/checkout",
        data={
            "csrf_token": token,
            "gig_id": gig.public_id,
            "package": "basic",
            "kind": "hybrid",
            "brief": "A chorus about trains",
            "idempotency_key": "offer-summary-1",
        },
    )
    assert summary.status_code == 200, summary.text
    assert "$30" in summary.text and "$19" not in summary.text


async def test_the_gig_form_saves_ai_and_hybrid_prices_and_explains_bad_ones(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, headers = await api_signup(client, roles=("freelancer",))
    token = await signed_in_as(client, headers)
    form = {
        "csrf_token": token,
        "title": "I will write a jingle for your shop",
        "description": "A short, catchy jingle for radio and social media, written for you.",
        "category": "song-lyrics",
        "basic_price": "60",
        "basic_delivery_days": "3",
        "basic_revisions": "1",
        "basic_ai_price": "abc",
        "status": "published",
    }
    refused = await client.post("/dashboard/gigs/new", data=form)
    assert refused.status_code == 422
    assert 'id="basic_ai_price-error"' in refused.text and "like 45 or 45.50" in refused.text
    too_low = await client.post("/dashboard/gigs/new", data={**form, "basic_ai_price": "0.10"})
    assert too_low.status_code == 422 and "AI prices run from $0.50" in too_low.text

    saved = await client.post(
        "/dashboard/gigs/new",
        data={**form, "basic_ai_price": "12", "basic_hybrid_price": "40.50"},
    )
    assert saved.status_code == 303, saved.text
    edit = (await client.get(saved.headers["location"])).text
    assert 'name="basic_ai_price" inputmode="decimal" value="12' in edit
    assert 'name="basic_hybrid_price" inputmode="decimal" value="40.5' in edit
    gig_id = saved.headers["location"].split("/")[3]
    assert re.fullmatch(public_ids.PATTERN, gig_id), saved.headers["location"]
    gig = (await client.get(f"/api/v1/gigs/{gig_id}")).json()
    assert gig["id"] == gig_id
    assert (gig["packages"][0]["ai_price_amount"], gig["packages"][0]["hybrid_price_amount"]) == (
        1200,
        4050,
    )


async def test_card_badges_name_the_cheapest_ai_package(session: AsyncSession) -> None:
    from twinwork.search.offer import ai_offer_service

    _, gig = await seller_with_model(session)
    plain_seller = await create_user(session, roles=("freelancer",))
    plain = await create_gig(session, plain_seller)
    badges = await ai_offer_service.badges(session, [gig, plain])
    assert badges == {gig.id: 400}
    assert lowest_ai_amount(gig_offers(gig, None)) is None


async def test_the_public_model_page_shows_the_examples_its_owner_approved(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller = await create_user(session, roles=("freelancer",), display_name="Ola Offer")
    stored = await stored_model(session, seller, approved=True, price_amount=400)
    stored.version.evaluation_outputs = [
        {
            "brief": "A chorus about a night train",
            "base": "Trains are vehicles.",
            "personal": "Carriage lights are humming, every station calls your name",
        },
        {"brief": "A verse about rain", "base": "Rain is water.", "personal": "  "},
    ]
    stored.model.is_active = True
    await session.commit()
    page = (await client.get(f"/models/{stored.model.public_id}")).text
    examples = page[page.index('id="examples"') :]
    assert "A chorus about a night train" in examples
    assert "Carriage lights are humming, every station calls your name" in examples
    # The owner's model, not the base; an empty output is no example; no perplexity numbers.
    assert "Trains are vehicles." not in page and "A verse about rain" not in page
    assert "perplexity" not in page.lower()

    stored.version.evaluation_outputs = []
    await session.commit()
    page = (await client.get(f"/models/{stored.model.public_id}")).text
    assert "No examples yet" in page
