"""An operator imports a year of search history; the public index shows the rising term
and its weekly chart, readable at desktop width and on a 390 px phone."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_ADMIN

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TERM = "agentic workflow audit"
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def history_csv(now: datetime) -> str:
    """40 searches in the earlier six months, 400 in the last six, a few with typos of case
    and plural that the index folds into the same term."""
    rng = random.Random(5)
    lines = ["ts,query,category"]
    for count, (start, end) in ((40, (360, 190)), (400, (170, 1))):
        for _ in range(count):
            days = rng.uniform(end, start)
            ts = (now - timedelta(days=days)).replace(microsecond=0).isoformat()
            query = rng.choice([TERM, TERM.title(), TERM + "s", TERM.replace(" ", "-")])
            lines.append(f"{ts},{query},ai-agent-development")
    return "\n".join(lines) + "\n"


def import_history(base_url: str) -> None:
    email, password = DEMO_ADMIN
    token = httpx.post(
        f"{base_url}/api/v1/auth/token", json={"email": email, "password": password}
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    bad = httpx.post(
        f"{base_url}/api/v1/admin/search-events:import",
        content="ts,query,category\nnot a time,logo,\n",
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["line"] == 2
    done = httpx.post(
        f"{base_url}/api/v1/admin/search-events:import",
        files={"file": ("history.csv", history_csv(datetime.now(UTC)).encode(), "text/csv")},
        headers=headers,
        timeout=60,
    )
    assert done.status_code == 201, done.text
    assert done.json()["imported"] == 440
    # The server's own worker exports the imported days and rolls them up.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        answer = httpx.get(f"{base_url}/api/v1/trends/terms/{quote(TERM)}")
        if answer.status_code == 200 and answer.json()["trend"]["current_count"] >= 400:
            return
        time.sleep(0.5)
    raise AssertionError(f"the import never reached the index: {answer.text[:300]}")


def fits(page: Page) -> None:
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways"


def test_imported_history_shows_as_a_rising_term_with_its_chart(
    page: Page, live_server: str
) -> None:
    import_history(live_server)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server + "/trends")
        expect(page.get_by_role("heading", name="Business Trends Index")).to_be_visible()
        rising = page.locator("#rising")
        expect(rising.get_by_role("link", name=TERM, exact=True)).to_be_visible()
        expect(rising).to_contain_text("%")
        expect(page.locator('svg[role="img"]#rising-chart')).to_be_visible()
        fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"trends-index-{width}.png"), full_page=True)

        rising.get_by_role("link", name=TERM, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"“{TERM}”")
        chart = page.locator('svg[role="img"]#term-chart')
        expect(chart).to_be_visible()
        assert chart.bounding_box()["width"] <= width  # type: ignore[index]
        expect(page.locator("#term-chart-desc")).to_contain_text("Searches per week")
        expect(page.get_by_role("link", name=f"See gigs for “{TERM}”")).to_have_attribute(
            "href", "/search?q=agentic+workflow+audit"
        )
        page.get_by_text("Searches per week as a table").click()
        expect(page.locator("#weekly-table")).to_be_visible()
        fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"trends-term-{width}.png"), full_page=True)
