"""Every page, as each role, fits a 390 px phone screen: nothing scrolls sideways.

The crawl starts from every page route without a parameter in the app's route table and
follows the links each role sees, so pages with ids (an order, a model, a receipt) are
reached through the demo's own data. Pages of one shape (two gigs' ``/gigs/<public id>``) are
visited once, so the crawl stays short as the demo grows.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.routing import iter_route_contexts
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_ADMIN, PUBLIC_ID

PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = DEMO_ADMIN[1]
ROLES = {
    "visitor": None,
    "buyer": "nina.castell@demo.twinwork.test",
    "freelancer": "samira-qureshi-writes@demo.twinwork.test",
    "admin": DEMO_ADMIN[0],
}
MAX_PAGES = 80
SKIPPED = re.compile(
    r"^/(static|api|logout|healthz|docs|redoc)|/download|\.(csv|json|txt|zip|png|svg)$"
)
ONE_OF_A_KIND = re.compile(r"^/(freelancers|receipts|certificates|trends/terms)/[^/]+")

WIDEST_ELEMENTS = """() => {
  const limit = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll('body *'))
    .filter((el) => el.getBoundingClientRect().right > limit + 1)
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className) : '')
      + ' right=' + Math.round(el.getBoundingClientRect().right));
}"""


def shape(path: str) -> str:
    path = ONE_OF_A_KIND.sub(lambda match: match.group(0).rsplit("/", 1)[0] + "/{key}", path)
    # A row's public id first: a hex run could match the start of one and leave its tail.
    return re.sub(rf"/{PUBLIC_ID}(?![a-z2-7])|/[0-9a-f]{{6,}}|/\d+", "/{id}", path)


def page_routes_without_parameters() -> list[str]:
    from twinwork.web.app import create_app

    paths = {
        route.path
        for route in iter_route_contexts(create_app().routes)
        if "GET" in (route.methods or ()) and "{" not in route.path
    }
    return sorted(path for path in paths if not SKIPPED.search(path))


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator('.nav a[href="/dashboard"]')).to_be_attached()


def crawl(page: Page, base_url: str, seeds: list[str]) -> dict[str, list[str]]:
    """Visit pages breadth first; return the overflowing ones with their widest elements."""
    host = urlsplit(base_url).netloc
    queue = deque(seeds)
    seen_shapes: set[str] = set()
    overflowing: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        if shape(path) in seen_shapes or SKIPPED.search(path):
            continue
        seen_shapes.add(shape(path))
        response = page.goto(base_url + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            overflowing[path] = [f"page is {width} px wide", *page.evaluate(WIDEST_ELEMENTS)]
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(urljoin(page.url, href))
            if parts.netloc == host and parts.path not in queue:
                queue.append(parts.path)
    assert visited >= 5, f"the crawl found only {visited} pages from {seeds}"
    return overflowing


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_scrolls_sideways_on_a_phone(browser: Any, live_server: str, role: str) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        email = ROLES[role]
        if email is not None:
            sign_in(page, live_server, email)
        overflowing = crawl(page, live_server, ["/", *page_routes_without_parameters()])
        assert not overflowing, f"{role} pages wider than the phone: {overflowing}"
    finally:
        context.close()


def test_phone_menu_folds_and_opens(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, live_server, ROLES["freelancer"] or "")
        menu = page.get_by_role("button", name="Menu")
        earnings = page.get_by_role("link", name="Earnings")
        expect(earnings).to_be_hidden()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(earnings).to_be_visible()
        earnings.click()
        expect(page).to_have_url(re.compile(r"/dashboard/earnings$"))
    finally:
        context.close()


def test_search_filters_fold_on_a_phone_and_tables_become_cards(
    browser: Any, live_server: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server + "/search?q=logo")
        expect(page.get_by_label("Category")).to_be_hidden()
        page.get_by_text("Filters and sorting").click()
        expect(page.get_by_label("Category")).to_be_visible()

        sign_in(page, live_server, ROLES["buyer"] or "")
        page.goto(live_server + "/dashboard/orders")
        first_row = page.locator("table.table tbody tr").first
        expect(first_row).to_be_visible()
        assert first_row.evaluate("row => getComputedStyle(row).display") == "block"
        label = first_row.locator("td").first.get_attribute("data-label")
        assert label, "a card's cells carry their column's heading"
    finally:
        context.close()
