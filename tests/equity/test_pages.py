"""The freelancer's equity page and printable statement, and the operators' round page."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from tests.equity.factories import LAST_YEAR, THIS_YEAR, day, earn, freelancer
from tests.web.test_pages import sign_in, signed_in_user
from twinwork.equity.models import EquityRound
from twinwork.equity.service import equity_service
from twinwork.kit.csrf import CSRF_COOKIE


def csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"csrf_token": client.cookies.get(CSRF_COOKIE) or ""}


async def test_a_freelancer_sees_progress_the_schedule_and_a_printable_statement(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    admin = await create_user(session, roles=("admin",))
    user = await freelancer(session, name="Pia Printable")
    await earn(session, user, 3_000_000, day(LAST_YEAR - 1, 6))
    await earn(session, user, 3_600_000, day(LAST_YEAR, 6))
    await earn(session, user, 1_250_000, day(THIS_YEAR, 1, 3))
    report = await equity_service.run_round(session, admin, LAST_YEAR, 1_234)
    [grant] = report.grants
    await session.commit()
    await sign_in(client, user.email)
    page = await client.get("/dashboard/equity")
    assert page.status_code == 200
    assert 'id="earnings-so-far">$12,500<' in page.text
    assert 'id="schedule"' in page.text and "Granted: 202 shares at $12.34" in page.text
    assert f"/dashboard/equity/grants/{grant.public_id}/statement" in page.text
    statement = await client.get(f"/dashboard/equity/grants/{grant.public_id}/statement")
    assert statement.status_code == 200
    assert 'class="card receipt"' in statement.text  # the print stylesheet's receipt
    assert 'id="statement-shares">202<' in statement.text
    assert 'id="statement-remainder">$7.32' in statement.text

    await signed_in_user(client, session)  # another freelancer
    assert (
        await client.get(f"/dashboard/equity/grants/{grant.public_id}/statement")
    ).status_code == 404


async def test_an_operator_previews_a_year_and_confirms_its_round(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await freelancer(session, name="Rae Roundtrip")
    await earn(session, user, 10_500_000, day(LAST_YEAR, 6))
    near = await freelancer(session, name="Nico Nearly")
    await earn(session, near, 2_900_000, day(LAST_YEAR, 6))
    await session.commit()
    await signed_in_user(client, session, roles=("admin",))
    page = await client.get("/admin/equity")
    assert page.status_code == 200
    assert 'id="eligible"' in page.text and "Rae Roundtrip" in page.text
    assert 'id="near-misses"' in page.text and "$1,000 short of the bar" in page.text
    assert 'id="round-form"' in page.text

    bad = await client.post(
        "/admin/equity/rounds", data={**csrf(client), "year": LAST_YEAR, "share_price": "0"}
    )
    assert bad.status_code == 422 and "share price must be more than zero" in bad.text
    assert await session.scalar(select(func.count()).select_from(EquityRound)) == 0

    done = await client.post(
        "/admin/equity/rounds", data={**csrf(client), "year": LAST_YEAR, "share_price": "25.00"}
    )
    assert done.status_code == 303, done.text
    granted = await client.get(done.headers["location"])
    assert "Round confirmed" in granted.text and 'id="grants"' in granted.text
    assert "Rae Roundtrip" in granted.text and "Nico Nearly" in granted.text
    again = await client.post(
        "/admin/equity/rounds", data={**csrf(client), "year": LAST_YEAR, "share_price": "20"}
    )
    assert again.status_code == 409

    current = await client.get(f"/admin/equity?year={THIS_YEAR}")
    assert 'id="round-not-due"' in current.text and 'id="round-form"' not in current.text


async def test_operators_edit_the_rules_on_the_page_and_bad_input_is_shown(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await signed_in_user(client, session, roles=("admin",))
    form = {
        **csrf(client),
        "qualifying_levels": ["pro"],
        "level_years": "2",
        "min_earnings_amount": "40,000",
        "min_growth_percent": "15",
        "high_earnings_amount": "120000",
        "allowed_countries": "us, gb",
        "grant_amount": "2500.00",
        "tranches": "4",
    }
    saved = await client.post("/admin/equity/rules", data=form)
    assert saved.status_code == 303, saved.text
    rules = await equity_service.rules(session)
    await session.refresh(rules)
    assert (rules.qualifying_levels, rules.level_years, rules.min_earnings_amount) == (
        ["pro"],
        2,
        4_000_000,
    )
    assert rules.allowed_countries == ["US", "GB"]
    bad = await client.post(
        "/admin/equity/rules", data={**form, "grant_amount": "lots", "qualifying_levels": ""}
    )
    assert bad.status_code == 422
    assert "Enter an amount in dollars" in bad.text
