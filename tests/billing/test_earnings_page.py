"""The earnings page: each sale with its price, fee and available-on date; a chart of the
last twelve months with its numbers; a withdraw form that says why it is off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.billing.test_payouts import sale
from tests.web.test_pages import signed_in_user
from twinwork.billing.payout.sales import monthly_totals, sales_page
from twinwork.billing.payout.service import earnings_service
from twinwork.config import get_settings
from twinwork.kit.db import utcnow


async def test_each_sale_shows_price_fee_net_and_when_it_can_be_withdrawn(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await signed_in_user(client, session)
    await sale(session, user.id, 5000)
    page = await client.get("/dashboard/earnings")
    assert page.status_code == 200
    table = page.text[page.text.index('id="sales-table"') :]
    available_on = (utcnow() + timedelta(days=get_settings().earnings_clearing_days)).date()
    row = table[table.index("<tbody>") : table.index("</tbody>")]
    for cell in ("AI generation", "$50", "−$10", "<strong>$40</strong>", available_on.isoformat()):
        assert cell in row, cell
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="earnings-chart"' in page.text


async def test_withdraw_is_off_with_the_reason_until_something_is_available(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await signed_in_user(client, session)
    empty = (await client.get("/dashboard/earnings")).text
    assert "Nothing is available to withdraw yet" in empty
    assert '<fieldset class="plain-fieldset" disabled>' in empty
    assert "No sales yet" in empty

    await sale(session, user.id, 5000)
    pending = (await client.get("/dashboard/earnings")).text
    assert "$40 is on its way" in pending and 'plain-fieldset" disabled' in pending

    monkeypatch.setattr(get_settings(), "earnings_clearing_days", 0)
    # Past its clearing period a sale can be withdrawn at once: the payout clears it first.
    due = (await client.get("/dashboard/earnings")).text
    assert '<fieldset class="plain-fieldset">' in due
    await earnings_service.clear_due(session, utcnow(), user)
    ready = (await client.get("/dashboard/earnings")).text
    assert 'id="withdraw-reason"' not in ready
    assert '<fieldset class="plain-fieldset">' in ready


async def test_monthly_totals_cover_twelve_months_with_empty_ones_at_zero(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await signed_in_user(client, session)
    await sale(session, user.id, 5000)
    await sale(session, user.id, 2500)
    now = utcnow()
    months = await monthly_totals(session, user, now=now)
    assert len(months) == 12
    assert months[-1].label == now.strftime("%b %Y") and months[-1].net_amount == 6000
    assert all(month.net_amount == 0 for month in months[:-1])
    earlier = await monthly_totals(session, user, now=datetime(2026, 3, 15, tzinfo=UTC))
    assert (earlier[0].label, earlier[-1].label) == ("Apr 2025", "Mar 2026")
    assert all(month.net_amount == 0 for month in earlier), "later sales stay out of the window"


async def test_sales_are_paginated_newest_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await signed_in_user(client, session)
    for amount in (1000, 2000, 3000):
        await sale(session, user.id, amount)
    first = await sales_page(session, user, 1, page_size=2)
    assert first.total == 3 and first.pages == 2
    assert [line.price_amount for line in first.items] == [3000, 2000]
    second = await sales_page(session, user, 2, page_size=2)
    assert [line.price_amount for line in second.items] == [1000]
    missing = await client.get("/dashboard/earnings?page=9")
    assert missing.status_code == 404
