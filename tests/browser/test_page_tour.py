"""A tour of the pages people meet most, as each role, at 1280 and 390 px.

Each page's first screen is saved as docs/screenshots/tour-<page>-<width>.png, so the look of
the product can be compared across versions with the same walk (the README shows some). On a
phone no page of the tour may scroll sideways, and every page answers without an error. At
both widths each page shows what a buyer, a freelancer or an operator expects to find on it
(``CHECKS``): reviews and trust facts, the order's story, the dashboards at a glance, charts
with a text alternative, plain words instead of hashes, and the pages that explain the product.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_ADMIN, PUBLIC_ID

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PREFIX = "tour-"
WIDTHS = {1280: {"width": 1280, "height": 900}, 390: {"width": 390, "height": 844}}
BUYER = "nina.castell@demo.twinwork.test"
LYRICIST = "noor-haddad-lyrics"
FREELANCER = f"{LYRICIST}@demo.twinwork.test"


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator('a[href="/dashboard"]').first).to_be_attached()


def first_link(page: Page, base_url: str, listing: str, pattern: str) -> str:
    """The first link on a listing page whose address matches ``pattern``."""
    page.goto(base_url + listing)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if re.fullmatch(pattern, href or ""):
            return str(href)
    pytest.fail(f"no link like {pattern} on {listing}")


def visit(page: Page, base_url: str, path: str, name: str, width: int) -> None:
    response = page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    page.screenshot(path=str(SCREENSHOTS / f"{PREFIX}{name}-{width}.png"))
    if name in CHECKS:
        CHECKS[name](page, width)
    if width == 390:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} is {scroll_width} px wide on a phone"


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_pages_people_meet_most(browser: Any, live_server: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for email, tour in (
        (None, ("home", "search", "gig", "profile", "how-it-works", "help", "terms", "licence")),
        (BUYER, ("buyer-dashboard", "order", "wallet")),
        (FREELANCER, ("freelancer-dashboard", "earnings", "portfolio", "models")),
        (DEMO_ADMIN[0], ("admin",)),
    ):
        context = browser.new_context(viewport=WIDTHS[width])
        page = context.new_page()
        try:
            if email:
                sign_in(page, live_server, email)
            for name in tour:
                visit(page, live_server, tour_path(page, live_server, name), name, width)
        finally:
            context.close()


def tour_path(page: Page, base_url: str, name: str) -> str:
    fixed = {
        "home": "/",
        "how-it-works": "/how-it-works",
        "help": "/help",
        "terms": "/terms",
        "licence": "/licence",
        "search": "/search?q=lyrics",
        "profile": f"/freelancers/{LYRICIST}",
        "buyer-dashboard": "/dashboard",
        "wallet": "/dashboard/wallet",
        "freelancer-dashboard": "/dashboard",
        "earnings": "/dashboard/earnings",
        "portfolio": "/dashboard/portfolio",
        "models": "/dashboard/models",
        "admin": "/admin",
    }
    if name in fixed:
        return fixed[name]
    found = {
        "gig": (f"/freelancers/{LYRICIST}", rf"/gigs/{PUBLIC_ID}"),
        "order": ("/dashboard/orders", rf"/orders/{PUBLIC_ID}"),
    }
    listing, pattern = found[name]
    return first_link(page, base_url, listing, pattern)


def check_home(page: Page, width: int) -> None:
    footer = page.locator("footer.site-footer")
    for name in ("How it works", "Help", "Licence", "Terms"):
        expect(footer.get_by_role("link", name=name)).to_be_attached()
    menu = page.locator(".nav-toggle")
    if width == 390:
        # The menu folds behind one button on a phone and opens on a tap.
        expect(menu).to_be_visible()
        expect(page.locator("#nav-links")).to_be_hidden()
        menu.click()
        expect(page.locator("#nav-links")).to_be_visible()
    else:
        expect(menu).to_be_hidden()
        expect(page.locator("#nav-links")).to_be_visible()


def check_search(page: Page, width: int) -> None:
    expect(page.get_by_label("AI available")).to_be_attached()
    expect(page.get_by_label("Works with AI tools")).to_be_attached()
    expect(page.locator("#results .gig-card").first).to_be_visible()
    folded = page.locator("details.filters-fold").evaluate("el => !el.open")
    # On a phone the first screen shows results, not the filter form.
    assert folded == (width == 390)


def check_gig(page: Page, width: int) -> None:
    expect(page.locator("#package-basic")).to_be_visible()
    expect(page.locator("#gallery img").first).to_be_visible()
    review = page.locator("#reviews .review").first
    expect(review).to_be_visible()
    expect(review.locator(".review-buyer")).not_to_be_empty()
    expect(review.locator(".review-made-how")).to_have_text(re.compile(r"\S"))
    expect(review.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    rating = page.locator(".rating").first.inner_text()
    assert re.search(r"\d\.\d", rating), rating


def check_profile(page: Page, width: int) -> None:
    country = page.locator("#profile-country").inner_text()
    assert len(country) > 2, f"country shows as a code: {country}"
    for fact in ("#member-since", "#response-time", "#completed-orders"):
        expect(page.locator(fact)).to_be_visible()
    expect(page.locator("#reviews .review").first).to_be_visible()


def check_explainer(page: Page, width: int) -> None:
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main p").first).to_be_visible()


def check_order(page: Page, width: int) -> None:
    expect(page.locator("main h1 a[href^='/gigs/']")).to_be_visible()
    header = page.locator(".page-header").inner_text()
    assert "package" in header and "Freelancer:" in header, header
    expect(page.locator("#order-status")).to_be_visible()
    expect(page.locator("#order-timeline li").first).to_be_attached()
    # Accepting asks first: the button opens a confirmation, it does not post.
    confirm = page.locator("#confirm-accept")
    if confirm.count():
        confirm.locator("summary").click()
        expect(confirm.locator("form button[type=submit]")).to_be_visible()


def check_wallet(page: Page, width: int) -> None:
    expect(page.locator("#wallet-balance")).to_have_text(re.compile(r"\$\d"))
    expect(page.locator("#wallet-history")).to_be_attached()


def check_freelancer_dashboard(page: Page, width: int) -> None:
    for stat in ("#unread-messages", "#orders-to-do-count", "#earned-this-month", "#model-status"):
        expect(page.locator(f"#at-a-glance {stat}")).to_be_visible()
    expect(page.locator("#handover-count")).to_have_text(re.compile(r"^\d+$"))


def check_earnings(page: Page, width: int) -> None:
    chart = page.locator("#earnings-chart")
    expect(chart).to_have_attribute("role", "img")
    expect(page.locator("#earnings-chart-title")).not_to_be_empty()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= width
    if page.locator("#withdraw-reason").count():
        expect(page.locator("form[action='/dashboard/earnings/payouts'] fieldset")).to_be_disabled()


def check_portfolio(page: Page, width: int) -> None:
    expect(page.locator("#samples button[role=switch]").first).to_be_visible()
    page.locator(".sample-text-fold summary").first.click()
    expect(page.locator(".sample-text").first).to_be_visible()
    sample = page.locator("#data-use td[data-label='Sample']").first.inner_text()
    assert not re.fullmatch(r"[0-9a-f ]+", sample), f"the ledger shows {sample}"


def check_admin(page: Page, width: int) -> None:
    expect(page.locator("#money-totals")).to_be_visible()
    expect(page.locator("#ageing")).to_be_visible()
    expect(page.locator("#demand-chart")).to_have_attribute("role", "img")
    expect(page.locator("#demand-chart-desc")).not_to_be_empty()


CHECKS: dict[str, Callable[[Page, int], None]] = {
    "home": check_home,
    "search": check_search,
    "gig": check_gig,
    "profile": check_profile,
    "how-it-works": check_explainer,
    "help": check_explainer,
    "terms": check_explainer,
    "licence": check_explainer,
    "order": check_order,
    "wallet": check_wallet,
    "freelancer-dashboard": check_freelancer_dashboard,
    "earnings": check_earnings,
    "portfolio": check_portfolio,
    "admin": check_admin,
}
