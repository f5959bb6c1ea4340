"""The program page a freelancer applies on, and the operators' seat queue."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.program.factories import invite
from tests.web.test_pages import signed_in_user
from twinwork.kit.csrf import CSRF_COOKIE
from twinwork.program.admission import admission_service
from twinwork.program.models import ApplicationStatus


def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"csrf_token": client.cookies.get(CSRF_COOKIE) or ""}


async def test_a_freelancer_sees_each_rule_applies_and_sees_the_application(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await signed_in_user(client, session)
    page = await client.get("/dashboard/program")
    assert page.status_code == 200
    assert 'id="eligibility"' in page.text and "0 of 10 completed orders" in page.text
    assert 'id="apply"' in page.text
    assert 'name="card_number"' not in page.text  # no seat yet, so nothing to pay for
    applied = await client.post("/dashboard/program/apply", data=csrf(client))
    assert applied.status_code == 303
    page = await client.get(applied.headers["location"])
    assert "Application received" in page.text and "In review" in page.text
    twice = await client.post("/dashboard/program/apply", data=csrf(client))
    assert twice.status_code == 409 and "review already" in twice.text


async def test_an_admitted_freelancer_is_offered_the_join_form_with_the_deadline(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await signed_in_user(client, session)
    application = await invite(session, user)
    await session.commit()
    page = await client.get("/dashboard/program")
    assert 'id="admitted-notice"' in page.text
    assert application.seat_expires_at is not None
    assert application.seat_expires_at.strftime("%Y-%m-%d") in page.text
    assert 'name="card_number"' in page.text


async def test_operators_decide_invite_and_edit_rules_on_the_seat_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    applicant = await create_user(session, roles=("freelancer",), display_name="Ada Applicant")
    view = await admission_service.apply(session, applicant)
    assert view.application.status == ApplicationStatus.IN_REVIEW
    await session.commit()
    await signed_in_user(client, session, roles=("admin",))
    admin_home = await client.get("/admin")
    assert "/admin/program" in admin_home.text and "to decide" in admin_home.text
    page = await client.get("/admin/program")
    assert page.status_code == 200 and "Ada Applicant" in page.text
    assert 'id="seats-used"' in page.text

    no_reason = await client.post(
        f"/admin/program/applications/{view.application.public_id}/decline",
        data={**csrf(client), "reason": ""},
    )
    assert no_reason.status_code == 422
    bad_rules = await client.post(
        "/admin/program/rules",
        data={
            **csrf(client),
            "min_level": "level_2",
            "min_rating": "4.5",
            "min_completed_orders": "-2",
            "min_consented_samples": "5",
            "seat_limit": "100",
        },
    )
    assert bad_rules.status_code == 422 and 'value="-2"' in bad_rules.text
    unknown = await client.post(
        "/admin/program/invitations", data={**csrf(client), "email": "nobody@example.test"}
    )
    assert unknown.status_code == 404 and "no account" in unknown.text
    declined = await client.post(
        f"/admin/program/applications/{view.application.public_id}/decline",
        data={**csrf(client), "reason": "Add samples of your own work first."},
    )
    assert declined.status_code == 303
    done = await client.get(declined.headers["location"])
    assert "Declined" in done.text

    await client.post("/logout", data=csrf(client))
    page = await client.get("/admin/program", follow_redirects=False)
    assert page.status_code in (303, 401, 403)
