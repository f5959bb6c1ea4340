"""Trust and notifications at 1280 and 390 px, on the demo: a designer's gig gallery (upload,
reorder, the card image in search), the header's bell after a buyer orders, and a model's
evaluation as a chart with a verdict. Screenshots go to docs/screenshots."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Page, expect

from tests.backends import Backends
from tests.browser.conftest import DEMO_ADMIN
from twinwork.kit.public_ids import public_id

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DESIGNER = "lucia-ferreira-brand@demo.twinwork.test"
BUYER = "nina.castell@demo.twinwork.test"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Scroll through the page so lazy pictures load, then back to the top: a full-page screenshot
# shows what a reader scrolling down would see (and the sticky header where it belongs).
SCROLL_THROUGH = """async () => {
  for (let y = 0; y < document.body.scrollHeight; y += 300) {
    window.scrollTo(0, y);
    await new Promise((done) => setTimeout(done, 30));
  }
  window.scrollTo(0, 0);
}"""
# Pictures further along the gallery's strip load when swiped to: not counted.
ALL_PICTURES_LOADED = (
    "() => [...document.images]"
    ".filter((img) => !img.closest('.gig-gallery-slide:not(:first-child)'))"
    ".every((img) => img.complete)"
)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def brand_board(path: Path, background: str, ink: str, accent: str, word: str) -> Path:
    """A picture like a designer's brand board: a field of colour, a mark and a word."""
    image = Image.new("RGB", (1600, 1200), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((180, 300, 780, 900), fill=accent)
    draw.rectangle((980, 300, 1420, 360), fill=ink)
    draw.rectangle((980, 420, 1300, 460), fill=accent)
    font = ImageFont.truetype(FONT, 150) if os.path.exists(FONT) else ImageFont.load_default()
    draw.text((240, 500), word[:2], fill=background, font=font)
    draw.text((980, 780), word, fill=ink, font=font)
    image.save(path, format="JPEG", quality=90)
    return path


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator('.nav a[href="/dashboard"]')).to_be_attached()


def both_widths(page: Page, name: str, full_page: bool = True) -> None:
    """Screenshots at 1280 px and on a 390 px phone, which must not scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.reload()
    _ready(page)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-1280.png"), full_page=full_page)
    page.set_viewport_size(PHONE)
    page.reload()
    _ready(page)
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} scrolls sideways at 390 px"
    page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=full_page)
    page.set_viewport_size(DESKTOP)


def _ready(page: Page) -> None:
    page.evaluate(SCROLL_THROUGH)
    page.wait_for_function(ALL_PICTURES_LOADED)


def test_a_designer_builds_a_gallery_that_shows_on_cards_and_the_gig_page(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, DESIGNER)
    page.goto(live_server + "/dashboard/freelancer")
    page.locator('a[href^="/dashboard/gigs/"][href$="/edit"]').first.click()
    gig_id = page.url.split("/dashboard/gigs/")[1].split("/")[0]
    editor = page.locator("#gallery")
    boards = [
        brand_board(tmp_path / "north.jpg", "#0f1b3d", "#f5efe6", "#e4572e", "Northwind"),
        brand_board(tmp_path / "bloom.jpg", "#f5efe6", "#1d3557", "#2a9d8f", "Bloom & Co"),
        brand_board(tmp_path / "ferro.jpg", "#1d3557", "#f1faee", "#f4a261", "Ferro"),
    ]
    for board, alt in zip(
        boards, ("Northwind logo", "Bloom & Co identity", "Ferro mark"), strict=True
    ):
        editor.get_by_label("Upload a picture").set_input_files(board)
        editor.get_by_label("What it shows").fill(alt)
        editor.get_by_role("button", name="Add picture").click()
        expect(page.get_by_role("status")).to_contain_text("Picture added")
    # The demo's own cover first, then the three uploaded.
    expect(page.locator(".gallery-editor-item")).to_have_count(4)
    # A refused file says why, and nothing is added.
    (tmp_path / "notes.png").write_bytes(b"not a picture at all")
    editor.get_by_label("Upload a picture").set_input_files(tmp_path / "notes.png")
    editor.get_by_role("button", name="Add picture").click()
    expect(page.locator("#gallery-error")).to_contain_text("not an image we accept")
    expect(page.locator(".gallery-editor-item")).to_have_count(4)
    # The last picture becomes the card image.
    page.get_by_role("button", name="Make card image: picture 4").click()
    expect(page.locator(".gallery-editor-item").first).to_contain_text("Card image")
    expect(page.locator(".gallery-editor-item img").first).to_have_attribute("alt", "Ferro mark")

    page.goto(f"{live_server}/gigs/{gig_id}")
    expect(page.locator(".gig-gallery-slide img")).to_have_count(4)
    expect(page.locator(".gig-gallery-slide img").first).to_have_attribute("alt", "Ferro mark")
    # The first picture loads at once, at the page's size (the rest load as they scroll in).
    page.wait_for_function(
        "() => { const img = document.querySelector('.gig-gallery-slide img');"
        " return img.complete && img.naturalWidth === 1280; }"
    )
    both_widths(page, "gig-gallery")

    page.goto(f"{live_server}/search?q=design")
    expect(page.locator(".gig-card .gig-card-image img").first).to_be_visible()
    both_widths(page, "search-cards")

    page.goto(f"{live_server}/freelancers/lucia-ferreira-brand")
    card = page.locator(f'.gig-card:has(a[href="/gigs/{gig_id}"])').first
    expect(card.locator(".gig-card-image img")).to_be_visible()
    expect(page.locator("#profile-country")).not_to_have_text("")
    expect(page.locator("#member-since")).to_be_visible()
    expect(page.locator("#completed-orders")).to_be_visible()


def test_a_new_order_rings_the_designers_bell(page: Page, live_server: str) -> None:
    token = httpx.post(
        f"{live_server}/api/v1/auth/token", json={"email": BUYER, "password": DEMO_ADMIN[1]}
    ).json()["token"]
    buyer = {"Authorization": f"Bearer {token}"}
    gigs = httpx.get(f"{live_server}/api/v1/gigs", params={"q": "logo"}).json()["items"]
    gig = next(g for g in gigs if g["freelancer"]["handle"] == "lucia-ferreira-brand")
    httpx.post(
        f"{live_server}/api/v1/wallet/top-ups",
        json={"amount": 50_000, "card_number": "4242 4242 4242 4242"},
        headers={**buyer, "Idempotency-Key": "bell-top-up"},
    )
    # The demo's past orders (written reviews, sales) may have left the designer unread
    # notifications: they are read first, so the new order's is the only one.
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, DESIGNER)
    page.goto(live_server + "/notifications")
    read_all = page.get_by_role("button", name=re.compile("Mark all"))
    if read_all.count():
        read_all.click()
    expect(page.locator("#nav-bell")).to_have_attribute("aria-label", "Notifications")

    placed = httpx.post(
        f"{live_server}/api/v1/orders",
        json={"gig_id": gig["id"], "package": "basic", "kind": "human", "brief": "A bold mark"},
        headers={**buyer, "Idempotency-Key": "bell-order"},
    )
    assert placed.status_code == 201, placed.text

    page.goto(live_server + "/dashboard")
    bell = page.locator("#nav-bell")
    expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(bell.locator(".nav-bell-count")).to_have_text("1")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.locator(".notification-unread")).to_contain_text(
        f"New order #{placed.json()['id'][:8].upper()}"  # the order's reference
    )
    both_widths(page, "notifications")
    page.set_viewport_size(PHONE)
    expect(page.locator("#nav-bell")).to_be_visible()  # outside the folded menu
    page.set_viewport_size(DESKTOP)
    page.locator(".notification-unread a").first.click()
    expect(page).to_have_url(f"{live_server}/orders/{placed.json()['id']}")
    expect(page.locator("#nav-bell")).to_have_attribute("aria-label", "Notifications")


def _stored_evaluation(database_url: str, email: str) -> tuple[int, int]:
    """A model with an evaluated version and a run in progress, written into the server's
    database (a real training run is covered by the model journey)."""
    from sqlalchemy import select

    from tests.creation.factories import stored_model
    from twinwork.account.models import User
    from twinwork.creation.models import PersonalModel, RunStatus, TrainingRun
    from twinwork.kit.db import run_standalone, utcnow

    async def work(session: Any) -> tuple[int, int]:
        owner = await session.scalar(select(User).where(User.email == email))
        stored = await stored_model(session, owner)
        stored.model.name = "Brand voice"
        stored.version.metrics = {
            "base_perplexity": 31.2,
            "personal_perplexity": 14.7,
            "base_style_similarity": 0.41,
            "personal_style_similarity": 0.68,
        }
        stored.version.training_samples = [1, 2, 3, 4, 5, 6]
        stored.version.heldout_samples = [7, 8]
        running = PersonalModel(owner_user_id=owner.id, modality="text", name="Second voice")
        session.add(running)
        await session.flush()
        session.add(
            TrainingRun(
                model_id=running.id,
                owner_user_id=owner.id,
                status=RunStatus.RUNNING,
                sample_ids=[1, 2, 3, 4, 5, 6],
                phase="training",
                step=24,
                total_steps=60,
                loss=4.265,
                eta_seconds=150.0,
                started_at=utcnow() - timedelta(seconds=100),
                heartbeat_at=utcnow() + timedelta(minutes=30),
            )
        )
        return stored.model.id, running.id

    # Playwright's sync API holds an event loop in this thread: the database work gets its own.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run_standalone, database_url, work).result()


def _end_run(database_url: str, run_id: int) -> None:
    """The stored run ends as cancelled: no worker is training it."""
    from twinwork.creation.models import RunStatus, TrainingRun
    from twinwork.kit.db import run_standalone, utcnow

    async def work(session: Any) -> None:
        run = await session.get(TrainingRun, run_id)
        run.status, run.phase, run.finished_at = RunStatus.CANCELLED, "cancelled", utcnow()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run_standalone, database_url, work).result()


def test_the_evaluation_reads_as_a_chart_and_progress_as_minutes(
    page: Page, live_server: str, backends: Backends
) -> None:
    database_url = (
        str(backends.postgres.get_uri("twinwork_browser"))
        if backends.postgres is not None
        else f"sqlite+aiosqlite:///{backends.root / 'twinwork_browser.db'}"
    )
    model_id, running_id = _stored_evaluation(database_url, DESIGNER)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, DESIGNER)
    page.goto(f"{live_server}/dashboard/models/{public_id('model', model_id)}")
    version = page.locator("#version-1")
    expect(version.locator("#verdict-1")).to_contain_text("Closer to your style than the base")
    expect(version.locator("svg.chart")).to_be_visible()
    expect(version.locator("svg.chart title")).to_contain_text("How close each model comes")
    expect(version.get_by_text("Perplexity (lower is better)")).to_be_hidden()
    version.get_by_text("The numbers behind this").click()
    expect(version.get_by_text("Perplexity (lower is better)")).to_be_visible()
    both_widths(page, "model-evaluation")

    page.goto(f"{live_server}/dashboard/models/{public_id('model', running_id)}")
    expect(page.locator("#run-percent")).to_contain_text("%")
    expect(page.locator("#run-left")).to_contain_text("minutes left")
    expect(page.locator("#run-progress")).not_to_contain_text("loss")
    page.screenshot(path=str(SCREENSHOTS / "training-progress-1280.png"))
    _end_run(database_url, running_id)
