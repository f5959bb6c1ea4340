"""Equity end to end on the demo: an operator previews last year, is refused a share price
of zero, confirms the round; a granted freelancer sees the grant, the schedule and a
printable statement. Both pages fit a 390 px phone; screenshots go to docs/screenshots."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_ADMIN

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LUCIA = "lucia-ferreira-brand@demo.twinwork.test"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator('.nav a[href="/dashboard"]')).to_be_attached()


def fits_phone(page: Page, name: str) -> None:
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} scrolls sideways at 390 px"
    page.screenshot(path=str(SCREENSHOTS / f"equity-{name}-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_an_operator_runs_last_years_round_and_a_freelancer_reads_the_grant(
    page: Page, live_server: str
) -> None:
    last_year = datetime.now(UTC).year - 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, DEMO_ADMIN[0])
    page.goto(live_server + "/admin/equity")
    expect(page.get_by_role("heading", name=f"Eligible in {last_year} (2)")).to_be_visible()
    eligible = page.locator("#eligible")
    expect(eligible).to_contain_text("Lucia Ferreira")
    expect(eligible).to_contain_text("Lin Zhaowei")
    near = page.locator("#near-misses")
    for name, lacked in (
        ("Devon", "10% growth needs"),
        ("Mara Voss", "10% growth needs"),
        ("Ines Marchetti", "only since"),
        ("Rafael Dominguez", "short of the bar"),
    ):
        expect(near.locator("tr", has_text=name).first).to_contain_text(lacked)
    page.screenshot(path=str(SCREENSHOTS / "equity-admin-1280.png"), full_page=True)
    fits_phone(page, "admin")

    page.get_by_label("Share price").fill("0")
    page.get_by_role("button", name="Confirm round and grant").click()
    expect(page.locator("#share_price-error")).to_contain_text("more than zero")
    page.get_by_label("Share price").fill("21.07")
    page.get_by_role("button", name="Confirm round and grant").click()
    expect(page.get_by_text("Round confirmed")).to_be_visible()
    expect(page.locator("#round-status")).to_have_text("Granted")
    # $2,500 at $21.07: 118 shares and $13.74 over.
    expect(page.locator("#grants tr", has_text="Lucia Ferreira")).to_contain_text("118")
    expect(page.locator("#grants tr", has_text="Lucia Ferreira")).to_contain_text("$13.74")
    expect(page.locator("#round-form")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, live_server, LUCIA)
    page.goto(live_server + "/dashboard/equity")
    expect(page.locator("#schedule tr", has_text="Granted")).to_contain_text(str(last_year))
    expect(page.locator("#progress")).to_contain_text(f"{last_year + 1} so far")
    page.screenshot(path=str(SCREENSHOTS / "equity-freelancer-1280.png"), full_page=True)
    fits_phone(page, "freelancer")
    page.get_by_role("link", name="Statement").first.click()
    expect(page.get_by_role("heading", name="Equity grant statement")).to_be_visible()
    expect(page.locator("#statement-shares")).to_have_text("118")
    expect(page.locator("#statement-remainder")).to_contain_text("$13.74")
    page.emulate_media(media="print")
    expect(page.locator("footer")).to_be_hidden()
    page.emulate_media(media="screen")
    page.screenshot(path=str(SCREENSHOTS / "equity-statement-1280.png"), full_page=True)
