"""Seats in the creation program: eligibility rules, applications, review, the waitlist,
invitations, and who may subscribe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.account.factories import api_signup, create_user
from tests.order.test_disputes import admin_headers
from tests.program.factories import admit_api_user
from twinwork.account.models import User
from twinwork.catalog.models import FreelancerProfile
from twinwork.kit.db import make_sessionmaker, unit_of_work, utcnow
from twinwork.kit.errors import Conflict
from twinwork.kit.public_ids import row_id
from twinwork.program.admission import admission_service
from twinwork.program.models import ApplicationStatus, ProgramApplication
from twinwork.program.renewal import renew_due
from twinwork.program.schemas import RulesIn
from twinwork.program.waitlist import offer_seats

GOOD = "4242 4242 4242 4242"
OPEN_RULES = {
    "min_level": "new",
    "min_rating": 0,
    "min_completed_orders": 0,
    "min_consented_samples": 0,
}


async def freelancer(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, str]]:
    return await api_signup(client, roles=("freelancer",))


async def seats(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, int]:
    response = await client.get("/api/v1/program/eligibility", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json()["seats"])


async def set_rules(
    client: httpx.AsyncClient, admin: dict[str, str], *, free_seats: int, **rules: Any
) -> None:
    """Rules that every fresh freelancer passes (unless overridden), with this many seats free."""
    taken = await _seats_taken(client)
    body = {**OPEN_RULES, **rules, "seat_limit": taken + free_seats}
    response = await client.put("/api/v1/admin/program/rules", json=body, headers=admin)
    assert response.status_code == 200, response.text


async def _seats_taken(client: httpx.AsyncClient) -> int:
    _, probe = await freelancer(client)  # seats are shown to freelancers
    return (await seats(client, probe))["used"]


async def apply(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/api/v1/program/applications", headers=headers)


# ---- eligibility ---------------------------------------------------------------------------


async def test_eligibility_shows_every_rule_with_the_freelancers_own_figure(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await freelancer(client)
    response = await client.get("/api/v1/program/eligibility", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is False
    rules = {rule["key"]: rule for rule in body["rules"]}
    assert set(rules) == {"level", "rating", "completed_orders", "consented_samples"}
    assert rules["completed_orders"]["figure"] == "0 of 10 completed orders"
    assert rules["consented_samples"]["figure"] == "0 of 5 samples with consent to train"
    assert rules["level"]["passed"] is False and "New seller" in rules["level"]["figure"]
    assert body["seats"]["limit"] >= body["seats"]["used"]


async def test_only_freelancers_have_eligibility(client: httpx.AsyncClient) -> None:
    _, buyer = await api_signup(client, roles=("buyer",))
    assert (await client.get("/api/v1/program/eligibility", headers=buyer)).status_code == 403
    assert (await apply(client, buyer)).status_code == 403


# ---- applying ------------------------------------------------------------------------------


async def test_every_rule_passing_with_a_seat_free_admits_at_once_then_subscribing_joins(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    await set_rules(client, admin, free_seats=1)
    _, headers = await freelancer(client)
    response = await apply(client, headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "admitted" and body["route"] == "rules"
    assert body["seat_expires_at"] is not None
    assert all(rule["passed"] for rule in body["evidence"])
    joined = await client.post("/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers)
    assert joined.status_code == 201, joined.text
    current = (await client.get("/api/v1/program/applications/current", headers=headers)).json()
    assert current["status"] == "joined" and current["seat_expires_at"] is None
    again = await apply(client, headers)
    assert again.status_code == 409 and "already a member" in again.json()["detail"]


async def test_a_full_program_waitlists_eligible_applicants_in_order(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    await set_rules(client, admin, free_seats=0)
    _, first = await freelancer(client)
    _, second = await freelancer(client)
    assert (await apply(client, first)).json()["status"] == "waitlisted"
    body = (await apply(client, second)).json()
    assert body["status"] == "waitlisted" and body["waitlist_position"] == 2
    current = (await client.get("/api/v1/program/applications/current", headers=first)).json()
    assert current["waitlist_position"] == 1
    refused = await client.post("/api/v1/subscriptions", json={"card_number": GOOD}, headers=first)
    assert refused.status_code == 403
    assert "number 1 on the waitlist" in refused.json()["detail"]


async def test_applying_twice_is_refused_and_leaves_one_application(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user, headers = await freelancer(client)
    assert (await apply(client, headers)).json()["status"] == "in_review"
    again = await apply(client, headers)
    assert again.status_code == 409 and "review" in again.json()["detail"]
    rows = await session.scalars(
        select(ProgramApplication).where(ProgramApplication.user_id == row_id("user", user["id"]))
    )
    assert len(list(rows)) == 1


async def test_current_application_is_404_before_applying(client: httpx.AsyncClient) -> None:
    _, headers = await freelancer(client)
    response = await client.get("/api/v1/program/applications/current", headers=headers)
    assert response.status_code == 404 and "POST /api/v1/program/applications" in response.text


async def test_subscribing_without_a_seat_is_refused_with_what_to_do(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await freelancer(client)
    response = await client.post(
        "/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers
    )
    assert response.status_code == 403
    assert response.json()["type"].endswith("admission-required")
    assert "apply for one" in response.json()["detail"]


# ---- an operator's review ------------------------------------------------------------------


async def test_review_approve_admits_and_decline_gives_the_reason_and_allows_a_new_try(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    await set_rules(client, admin, free_seats=1, min_completed_orders=10)
    _, approved = await freelancer(client)
    _, declined = await freelancer(client)
    first = (await apply(client, approved)).json()
    second = (await apply(client, declined)).json()
    assert first["status"] == second["status"] == "in_review"
    queue = (await client.get("/api/v1/admin/program/applications", headers=admin)).json()
    assert {first["id"], second["id"]} <= {item["id"] for item in queue["items"]}

    response = await client.post(
        f"/api/v1/admin/program/applications/{first['id']}/approve", headers=admin
    )
    assert response.status_code == 200 and response.json()["route"] == "review"
    no_reason = await client.post(
        f"/api/v1/admin/program/applications/{second['id']}/decline",
        json={"reason": " "},
        headers=admin,
    )
    assert no_reason.status_code == 422
    response = await client.post(
        f"/api/v1/admin/program/applications/{second['id']}/decline",
        json={"reason": "Please add samples of your own work first."},
        headers=admin,
    )
    assert response.status_code == 200
    seen = (await client.get("/api/v1/program/applications/current", headers=declined)).json()
    assert seen["status"] == "declined"
    assert seen["decline_reason"] == "Please add samples of your own work first."
    twice = await client.post(
        f"/api/v1/admin/program/applications/{second['id']}/approve", headers=admin
    )
    assert twice.status_code == 409 and "nothing left to decide" in twice.json()["detail"]
    assert (await apply(client, declined)).status_code == 201  # a new try

    joined = await client.post(
        "/api/v1/subscriptions", json={"card_number": GOOD}, headers=approved
    )
    assert joined.status_code == 201, joined.text


async def test_approving_with_no_seat_free_is_a_409_with_the_count_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    await set_rules(client, admin, free_seats=0, min_completed_orders=10)
    _, headers = await freelancer(client)
    application = (await apply(client, headers)).json()
    response = await client.post(
        f"/api/v1/admin/program/applications/{application['id']}/approve", headers=admin
    )
    assert response.status_code == 409
    body = response.json()
    assert body["seats_used"] == body["seat_limit"]
    assert f"{body['seats_used']:,} of {body['seat_limit']:,} seats are taken" in body["detail"]
    still = (await client.get("/api/v1/program/applications/current", headers=headers)).json()
    assert still["status"] == "in_review"


async def test_admin_endpoints_are_for_admins(client: httpx.AsyncClient) -> None:
    _, headers = await freelancer(client)
    for method, path in (
        ("get", "/api/v1/admin/program/applications"),
        ("post", "/api/v1/admin/program/applications/1/approve"),
        ("put", "/api/v1/admin/program/rules"),
        ("post", "/api/v1/admin/program/invitations"),
    ):
        response = await client.request(method, path, headers=headers, json={})
        assert response.status_code == 403, (path, response.text)


async def test_rules_with_negative_thresholds_are_refused_and_nothing_changes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    before = (await client.get("/api/v1/admin/program/rules", headers=admin)).json()
    for bad in (
        {"min_completed_orders": -1},
        {"min_rating": -0.5},
        {"min_rating": 6},
        {"seat_limit": -3},
        {"min_level": "grandmaster"},
    ):
        body = {**OPEN_RULES, "seat_limit": 10, **bad}
        response = await client.put("/api/v1/admin/program/rules", json=body, headers=admin)
        assert response.status_code == 422, (bad, response.text)
    after = (await client.get("/api/v1/admin/program/rules", headers=admin)).json()
    assert after == before


# ---- invitations ---------------------------------------------------------------------------


async def test_an_invitation_bypasses_the_rules_and_is_only_for_freelancers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await admin_headers(session)
    await set_rules(client, admin, free_seats=1, min_completed_orders=10)
    user, headers = await freelancer(client)
    assert (await apply(client, headers)).json()["status"] == "in_review"
    invited = await client.post(
        "/api/v1/admin/program/invitations", json={"email": user["email"]}, headers=admin
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["status"] == "admitted" and invited.json()["route"] == "invitation"
    again = await client.post(
        "/api/v1/admin/program/invitations", json={"email": user["email"]}, headers=admin
    )
    assert again.status_code == 409 and "holds a seat already" in again.json()["detail"]

    buyer, _ = await api_signup(client, roles=("buyer",))
    not_freelancer = await client.post(
        "/api/v1/admin/program/invitations", json={"email": buyer["email"]}, headers=admin
    )
    assert not_freelancer.status_code == 422 and "not a freelancer" in not_freelancer.text
    unknown = await client.post(
        "/api/v1/admin/program/invitations", json={"email": "nobody@example.test"}, headers=admin
    )
    assert unknown.status_code == 404
    malformed = await client.post(
        "/api/v1/admin/program/invitations", json={"email": "not an email"}, headers=admin
    )
    assert malformed.status_code == 422
    joined = await client.post("/api/v1/subscriptions", json={"card_number": GOOD}, headers=headers)
    assert joined.status_code == 201


# ---- the waitlist --------------------------------------------------------------------------


async def test_an_expired_offer_is_refused_and_its_seat_goes_to_the_next_in_line(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    admin = await admin_headers(session)
    await set_rules(client, admin, free_seats=0)
    _, first = await freelancer(client)
    _, second = await freelancer(client)
    await apply(client, first)
    await apply(client, second)
    # A seat is freed: the job offers it to the first in line.
    rules = (await client.get("/api/v1/admin/program/rules", headers=admin)).json()
    rules["seat_limit"] += 1
    rules.pop("updated_at")
    await client.put("/api/v1/admin/program/rules", json=rules, headers=admin)
    async with unit_of_work(sessionmaker) as write:
        offered = await offer_seats(write)
    assert len(offered) == 1
    offer = (await client.get("/api/v1/program/applications/current", headers=first)).json()
    assert offer["status"] == "admitted" and offer["route"] == "waitlist"
    waiting = (await client.get("/api/v1/program/applications/current", headers=second)).json()
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1

    # The offer runs out unused: subscribing is refused, the job takes it back and offers it on.
    row = await session.get(
        ProgramApplication, row_id("application", offer["id"]), populate_existing=True
    )
    assert row is not None and row.seat_expires_at is not None
    row.seat_expires_at = utcnow() - timedelta(minutes=1)
    await session.commit()
    late = await client.post("/api/v1/subscriptions", json={"card_number": GOOD}, headers=first)
    assert late.status_code == 410 and "Apply again" in late.json()["detail"]
    async with unit_of_work(sessionmaker) as write:
        assert len(await offer_seats(write)) == 1
    expired = (await client.get("/api/v1/program/applications/current", headers=first)).json()
    assert expired["status"] == "expired"
    now_admitted = await client.get("/api/v1/program/applications/current", headers=second)
    assert now_admitted.json()["status"] == "admitted"


async def test_a_seat_freed_by_a_cancelled_membership_goes_to_the_waitlist(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    admin = await admin_headers(session)
    member, member_headers = await freelancer(client)
    await admit_api_user(client, member)
    joined = await client.post(
        "/api/v1/subscriptions", json={"card_number": GOOD}, headers=member_headers
    )
    assert joined.status_code == 201
    await set_rules(client, admin, free_seats=0)
    _, waiting = await freelancer(client)
    assert (await apply(client, waiting)).json()["status"] == "waitlisted"

    await client.delete("/api/v1/subscriptions/current", headers=member_headers)
    period_end = joined.json()["current_period_end"]
    from datetime import datetime

    await renew_due(sessionmaker, datetime.fromisoformat(period_end) + timedelta(minutes=1))
    left = await client.get("/api/v1/program/applications/current", headers=member_headers)
    assert left.json()["status"] == "left"
    async with unit_of_work(sessionmaker) as write:
        assert len(await offer_seats(write)) == 1
    offer = (await client.get("/api/v1/program/applications/current", headers=waiting)).json()
    assert offer["status"] == "admitted" and offer["route"] == "waitlist"
    subscribed = await client.post(
        "/api/v1/subscriptions", json={"card_number": GOOD}, headers=waiting
    )
    assert subscribed.status_code == 201, subscribed.text


# ---- two operators, one seat ---------------------------------------------------------------


@pytest.fixture
async def two_in_review(engine: AsyncEngine) -> AsyncIterator[tuple[User, list[int]]]:
    """Committed: an admin, two applications in review and exactly one seat free."""
    sessionmaker = make_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        admin = await create_user(session, roles=("admin",))
        people = [await create_user(session, roles=("freelancer",)) for _ in range(2)]
        rules = await admission_service.rules(session)
        saved = RulesIn.model_validate(rules, from_attributes=True)
        await admission_service.update_rules(
            session,
            admin,
            RulesIn(**{**saved.model_dump(), "min_completed_orders": 10_000}),
        )
        ids = [(await admission_service.apply(session, p)).application.id for p in people]
        taken = (await admission_service.seats(session)).used
        await admission_service.update_rules(
            session, admin, RulesIn(**{**saved.model_dump(), "seat_limit": taken + 1})
        )
    yield admin, ids
    async with unit_of_work(sessionmaker) as session:
        await admission_service.update_rules(session, admin, saved)
        user_ids = [admin.id, *(p.id for p in people)]
        await session.execute(
            delete(ProgramApplication).where(ProgramApplication.user_id.in_(user_ids))
        )
        from twinwork.program.models import ProgramRules

        rules_row = await session.get(ProgramRules, 1)
        assert rules_row is not None
        rules_row.updated_by_user_id = None
        await session.execute(
            delete(FreelancerProfile).where(FreelancerProfile.user_id.in_(user_ids))
        )
        await session.execute(delete(User).where(User.id.in_(user_ids)))


async def test_two_admins_approving_the_last_seat_at_once_admit_exactly_one(
    engine: AsyncEngine, two_in_review: tuple[User, list[int]]
) -> None:
    admin, ids = two_in_review
    sessionmaker = make_sessionmaker(engine)

    async def approve(application_id: int) -> str:
        try:
            async with unit_of_work(sessionmaker) as session:
                await admission_service.approve(session, admin, application_id)
        except Conflict:
            return "refused"
        return "admitted"

    outcomes = await asyncio.gather(*(approve(i) for i in ids))
    assert sorted(outcomes) == ["admitted", "refused"]
    async with unit_of_work(sessionmaker, writes=False) as session:
        statuses = sorted(
            str(a.status)
            for a in await session.scalars(
                select(ProgramApplication).where(ProgramApplication.id.in_(ids))
            )
        )
    assert statuses == [ApplicationStatus.ADMITTED, ApplicationStatus.IN_REVIEW]
