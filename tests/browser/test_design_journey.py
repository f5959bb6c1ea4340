"""A personal design model end to end: a freelancer uploads a portfolio of designs, trains a
design model on it, reads the learned style and sells it; a buyer fills the design options,
previews, buys, and downloads the files, whose content credentials verify against the
anchor the server publishes. Both pages fit a 390 px phone; screenshots go to
docs/screenshots."""

from __future__ import annotations

import base64
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journeys import admin_invites, sign_up
from twinwork.kit import content_credentials
from twinwork.kit.content_credentials import ValidationState
from twinwork.ml.design.demo import NAVY, photo_bytes, portfolio

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= 390"
FREELANCER = "Dana Designer"
MODEL = "Dana's ads"
DESIGNS = 8
SIZES = {"Square post": "1080x1080", "Medium rectangle": "300x250"}


def portfolio_files(directory: Path) -> list[Path]:
    """Eight designs in one navy palette, as the freelancer keeps them: PNGs and SVGs, the
    SVGs exported with their photo embedded (an upload must be self-contained)."""
    embedded = b"data:image/png;base64," + base64.b64encode(photo_bytes((400, 440), 1))
    paths = []
    for n, content in enumerate(portfolio(NAVY, DESIGNS), start=1):
        suffix = ".svg" if content.lstrip().startswith(b"<") else ".png"
        if suffix == ".svg":
            content = content.replace(b'href="photo.jpg"', b'href="' + embedded + b'"')
        path = directory / f"design-{n}{suffix}"
        path.write_bytes(content)
        paths.append(path)
    assert {p.suffix for p in paths} == {".png", ".svg"}
    return paths


def join_the_program(page: Page) -> None:
    page.get_by_role("link", name="Program").click()
    expect(page.locator("#admitted-notice")).to_be_visible()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Join for $25 a month").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to the creation program")


def upload_designs(page: Page, files: list[Path]) -> None:
    page.get_by_role("link", name="Portfolio").click()
    needed = page.locator("#designs-needed")
    expect(needed).to_contain_text(f"add {DESIGNS} more")
    for n, path in enumerate(files, start=1):
        form = page.locator("#add-design")
        form.get_by_label("Design file").set_input_files(path)
        form.get_by_label("Title").fill(f"Navy poster {n}")
        form.get_by_label("I own the rights to this design").check()
        form.get_by_label("Use it to train my personal design model").check()
        form.get_by_role("button", name="Add design").click()
        expect(page.get_by_role("status")).to_contain_text("Sample added")
        left = DESIGNS - n
        expect(needed).to_contain_text(f"add {left} more" if left else "Enough to train")
    expect(page.locator("#samples img.sample-thumb")).to_have_count(DESIGNS)


def fits_phone(page: Page, name: str) -> None:
    """Screenshots at desktop width and on a phone; the phone must not scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / f"design-journey-{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{page.url} scrolls sideways at 390 px"
    page.screenshot(path=str(SCREENSHOTS / f"design-journey-{name}-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


# On the scale-out pass of a whole suite run, under heavy load, this journey's training twice
# stayed in "loading" past its four-minute wait (alone it passes on both backends in about a
# minute, and the design paths' own tests run on both). Until that is understood it runs on
# the embedded pass, as every browser journey may.
@pytest.mark.skipif(
    os.environ.get("TWINWORK_TEST_BACKEND") == "scaleout",
    reason="the design journey runs on the embedded pass (see the comment above)",
)
def test_design_model_from_portfolio_to_credentialed_files(
    page: Page, live_server: str, browser: Any, tmp_path: Path
) -> None:
    """Freelancer: joins the program, uploads eight designs with consent, trains a design
    model, reads its learned style, approves, prices and activates it.
    Buyer: fills headline, body, call to action and two sizes, previews, buys, and downloads
    the zip: a PNG and an SVG per size, the PNG's C2PA manifest trusted under the published
    anchor, naming the freelancer and refusing AI training."""
    page.set_viewport_size(DESKTOP)
    email = sign_up(page, live_server, FREELANCER, freelancer=True)
    admin_invites(browser, live_server, email)
    join_the_program(page)
    upload_designs(page, portfolio_files(tmp_path))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="AI models").click()
    page.get_by_label("Name").fill(MODEL)
    page.get_by_label("Kind").select_option("design")
    page.get_by_role("button", name="Create model").click()
    expect(page.get_by_role("heading", name=MODEL)).to_be_visible()
    expect(page.locator(".page-header")).to_contain_text("Design model")
    page.get_by_role("button", name="Train a new version").click()
    # The page polls the run and reloads itself when it ends.
    expect(page.locator("#version-1")).to_be_visible(timeout=240_000)
    model_url = page.url.split("?")[0]
    model_id = model_url.rstrip("/").rsplit("/", 1)[-1]

    style = page.locator("#style")
    picture = style.locator("img.style-picture")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0"), "no style picture"
    palette = style.locator(".style-palette li")
    expect(palette.first).to_contain_text("#")
    expect(style.locator(".style-palette")).to_contain_text("background")
    expect(style.get_by_text("Correct it before the next training run")).to_be_visible()

    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_role("status")).to_contain_text("Version approved")
    page.get_by_label("Price per use (USD)").fill("12")
    page.get_by_label("Licence").select_option("commercial")
    page.get_by_role("button", name="Save price and licence").click()
    expect(page.get_by_role("status")).to_contain_text("Price and licence saved")
    page.get_by_role("button", name="Activate").click()
    expect(page.locator("#model-status")).to_have_text("Active")
    fits_phone(page, "model")

    buyer_context = browser.new_context(viewport=DESKTOP)
    buyer = buyer_context.new_page()
    sign_up(buyer, live_server, "Ben Buyer", freelancer=False)
    buyer.goto(live_server + "/dashboard/wallet")
    buyer.get_by_label("Amount (USD)").fill("20")
    buyer.get_by_label("Card number").fill("4242 4242 4242 4242")
    buyer.get_by_role("button", name="Top up").click()
    expect(buyer.locator("#wallet-balance")).to_have_text("$20")

    buyer.goto(f"{live_server}/models/{model_id}")
    expect(buyer.get_by_role("heading", name=MODEL)).to_be_visible()
    buyer.get_by_label("Your brief").fill("A launch ad for a harbour café")
    options = buyer.locator("#options-form")
    options.get_by_label("Headline").fill("Harbour café opens")
    options.get_by_label("Body text").fill("Fresh coffee and pastries by the water, from seven.")
    options.get_by_label("Call to action").fill("Visit today")
    for label in SIZES:
        options.get_by_label(label).check()
    buyer.get_by_role("button", name="Generate a free preview").click()
    expect(buyer.get_by_role("heading", name="Preview")).to_be_visible()
    expect(buyer.locator(".preview-mark")).to_have_text("PREVIEW")
    previews = buyer.locator("#preview-files img")
    expect(previews.first).to_be_visible()
    expect(previews.first).to_have_attribute("alt", re.compile(r"^Watermarked preview: "))
    for n in range(previews.count()):
        previews.nth(n).scroll_into_view_if_needed()
        expect(previews.nth(n)).to_have_js_property("complete", True)
        assert previews.nth(n).evaluate("img => img.naturalWidth > 0"), "a preview is broken"
    alts = " ".join(previews.nth(n).get_attribute("alt") or "" for n in range(previews.count()))
    assert all(size in alts for size in SIZES.values()), alts

    buyer.get_by_role("button", name="Buy for $12").click()
    expect(buyer.get_by_role("status")).to_contain_text("Purchased")
    expect(buyer.get_by_role("heading", name="Your files", level=1)).to_be_visible()
    files = buyer.locator("#files .file-list")
    for size in SIZES.values():
        expect(files).to_contain_text(re.compile(rf"{size}-v\d\.png"))
        expect(files).to_contain_text(re.compile(rf"{size}-v\d\.svg"))
    download_all = buyer.get_by_role("link", name="Download all (zip)")
    expect(download_all).to_be_visible()
    zip_url = live_server + str(download_all.get_attribute("href"))

    answer = buyer.context.request.get(zip_url)
    assert answer.ok, answer.status
    archive = zipfile.ZipFile(io.BytesIO(answer.body()))
    names = archive.namelist()
    for size in SIZES.values():
        assert any(re.fullmatch(rf"{size}-v\d\.png", n) for n in names), names
        assert any(re.fullmatch(rf"{size}-v\d\.svg", n) for n in names), names
    png_name = next(n for n in names if n.endswith(".png"))
    png = archive.read(png_name)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = archive.read(next(n for n in names if n.endswith(".svg")))
    # The files set the buyer's options, not the free-text brief.
    assert b"<svg" in svg and b"Harbour" in svg and b"Visit today" in svg

    anchor = buyer.context.request.get(
        live_server + "/api/v1/certificates/content-credentials-anchor"
    )
    assert anchor.ok and "BEGIN CERTIFICATE" in anchor.text()
    report = content_credentials.read(png, "image/png", trust_anchor_pem=anchor.text())
    assert report.state is ValidationState.TRUSTED, (png_name, report.failures)
    assert report.creator_name == FREELANCER
    for label in ("c2pa.training-mining", "cawg.training-mining"):
        uses = report.training_mining(label)
        assert uses and set(uses.values()) == {"notAllowed"}, (label, uses)

    fits_phone(buyer, "purchase")
    buyer_context.close()
