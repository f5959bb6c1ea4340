"""Reviews move a seller's rating by their weight, on top of the history the profile holds."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.account.factories import create_user
from tests.billing.test_routes import top_up
from tests.catalog.factories import gig_payload
from tests.order.test_concurrency import fresh_account
from tests.order.test_orders import BASIC_PRICE, funded_buyer, order, seller_with_gig
from twinwork.account.models import User
from twinwork.catalog.models import FreelancerProfile, Gig
from twinwork.catalog.service import profile_service
from twinwork.kit.db import make_sessionmaker, unit_of_work
from twinwork.order.models import Order, OrderKind, OrderStatus, Review


async def completed_order(
    client: httpx.AsyncClient, seller: dict[str, str], buyer: dict[str, str], gig_id: int
) -> str:
    """An order of the gig's basic package, delivered and accepted: its API url."""
    placed = await order(client, buyer, gig_id, kind="human", brief="A logo, please")
    assert placed.status_code == 201, placed.text
    url = f"/api/v1/orders/{placed.json()['id']}"
    delivered = await client.post(f"{url}/deliveries", json={"text": "Done"}, headers=seller)
    assert delivered.json()["status"] == "delivered", delivered.text
    accepted = await client.post(f"{url}/accept", headers=buyer)
    assert accepted.json()["status"] == "completed", accepted.text
    return url


async def reviewed_order(
    session: AsyncSession,
    gig: Gig,
    buyer: User,
    stars: int,
    text: str = "",
    *,
    kind: OrderKind = OrderKind.HUMAN,
    at: datetime | None = None,
) -> Review:
    """A completed order of the gig with its review, written straight to the tables: for
    tests of how reviews are shown, not of how orders get there."""
    placed = Order(
        buyer_user_id=buyer.id,
        freelancer_user_id=gig.freelancer_id,
        gig_id=gig.id,
        package_name="basic",
        kind=kind,
        status=OrderStatus.COMPLETED,
        price_amount=BASIC_PRICE,
        currency="USD",
        revisions_allowed=1,
        request_key=uuid.uuid4().hex,
    )
    session.add(placed)
    await session.flush()
    review = Review(
        order_id=placed.id, freelancer_user_id=gig.freelancer_id, rating=stars, text=text
    )
    if at is not None:
        review.created_at = at
    session.add(review)
    await profile_service.add_review(session, gig.freelancer_id, stars)
    return review


async def history(session: AsyncSession, handle: str, rating: float, count: int) -> None:
    """Give a profile reviews from before this system kept review rows (as the demo does)."""
    profile = await profile_service.by_handle(session, handle)
    profile.rating, profile.review_count = rating, count
    await session.commit()


async def shown(client: httpx.AsyncClient, handle: str, gig_id: int) -> list[tuple[float, int]]:
    """The seller's rating as the profile API, the gig API, the gig page and the profile page
    show it (the pages to one decimal, as people read it)."""
    api_profile = (await client.get(f"/api/v1/freelancers/{handle}")).json()
    api_gig = (await client.get(f"/api/v1/gigs/{gig_id}")).json()["freelancer"]
    numbers = [
        (round(api_profile["rating"], 1), api_profile["review_count"]),
        (round(api_gig["rating"], 1), api_gig["review_count"]),
    ]
    search = "/search?q=minimalist+bakery&sort=newest"
    for page in (f"/gigs/{gig_id}", f"/freelancers/{handle}", search):
        html = (await client.get(page)).text
        # The seller line of a gig or profile page; in search, this gig's card.
        html = html.split(f'href="/gigs/{gig_id}"', 1)[1] if page == search else html
        label = html.split('aria-label="Rated ', 1)[1].split('"', 1)[0]
        # "4.7 out of 5 from 53 reviews"
        words = label.split()
        numbers.append((float(words[0]), int(words[5])))
    return numbers


async def test_a_new_review_moves_the_profiles_rating_by_its_weight(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    seller, gig_id = await seller_with_gig(client)
    handle = (await client.get(f"/api/v1/gigs/{gig_id}")).json()["freelancer"]["handle"]
    await history(session, handle, 4.7, 52)

    buyer = await funded_buyer(client)
    url = await completed_order(client, seller, buyer, gig_id)
    reviewed = await client.post(f"{url}/reviews", json={"rating": 5}, headers=buyer)
    assert reviewed.status_code == 201, reviewed.text
    profile = (await client.get(f"/api/v1/freelancers/{handle}")).json()
    assert profile["review_count"] == 53
    assert profile["rating"] == pytest.approx((4.7 * 52 + 5) / 53)  # 4.7057, not 5.0
    assert await shown(client, handle, gig_id) == [(4.7, 53)] * 5

    url = await completed_order(client, seller, buyer, gig_id)
    reviewed = await client.post(f"{url}/reviews", json={"rating": 1}, headers=buyer)
    assert reviewed.status_code == 201, reviewed.text
    profile = (await client.get(f"/api/v1/freelancers/{handle}")).json()
    assert profile["review_count"] == 54
    assert profile["rating"] == pytest.approx((4.7 * 52 + 5 + 1) / 54)  # 4.637
    assert await shown(client, handle, gig_id) == [(4.6, 54)] * 5


async def test_a_first_review_is_the_rating_and_a_refused_one_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    seller, gig_id = await seller_with_gig(client)
    handle = (await client.get(f"/api/v1/gigs/{gig_id}")).json()["freelancer"]["handle"]
    buyer = await funded_buyer(client)
    url = await completed_order(client, seller, buyer, gig_id)
    assert (await client.post(f"{url}/reviews", json={"rating": 4}, headers=buyer)).is_success
    twice = await client.post(f"{url}/reviews", json={"rating": 1}, headers=buyer)
    assert twice.status_code == 409
    by_seller = await client.post(f"{url}/reviews", json={"rating": 1}, headers=seller)
    assert by_seller.status_code == 403
    profile = (await client.get(f"/api/v1/freelancers/{handle}")).json()
    assert (profile["rating"], profile["review_count"]) == (4.0, 1)


async def test_add_review_keeps_precision_so_a_long_history_still_moves(
    session: AsyncSession,
) -> None:
    seller = await create_user(session, roles=("freelancer",))
    profile = await profile_service.find(session, seller.id)
    assert profile is not None
    profile.rating, profile.review_count = 4.0, 10_000
    for _ in range(50):
        await profile_service.add_review(session, seller.id, 5)
    moved = await session.get(FreelancerProfile, seller.id)
    assert moved is not None and moved.review_count == 10_050
    # Rounded to two decimals after each review, every one of these would have been lost.
    assert moved.rating == pytest.approx((4.0 * 10_000 + 5 * 50) / 10_050)
    assert await profile_service.add_review(session, 2_000_000_000, 5) is None


async def test_concurrent_reviews_of_one_seller_all_count(
    committed_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    client = committed_client
    seller = await fresh_account(client, "freelancer")
    gig = await client.post("/api/v1/gigs", json=gig_payload(), headers=seller)
    assert gig.status_code == 201, gig.text
    gig_id, handle = gig.json()["id"], gig.json()["freelancer"]["handle"]
    stars = [5, 4, 3, 5, 1, 2]
    reviews = []
    for _ in stars:
        buyer = await fresh_account(client, "buyer")
        await top_up(client, buyer, BASIC_PRICE)
        reviews.append((buyer, await completed_order(client, seller, buyer, gig_id)))

    async def review(buyer: dict[str, str], url: str, rating: int) -> int:
        response = await client.post(f"{url}/reviews", json={"rating": rating}, headers=buyer)
        return response.status_code

    statuses = await asyncio.gather(
        *(review(buyer, url, rating) for (buyer, url), rating in zip(reviews, stars, strict=True))
    )
    assert statuses == [201] * len(stars)
    async with unit_of_work(make_sessionmaker(engine), writes=False) as session:
        profile = await profile_service.by_handle(session, handle)
        assert profile.review_count == len(stars)
        assert profile.rating == pytest.approx(sum(stars) / len(stars))
