"""A personal voice model end to end in a browser: a freelancer uploads recordings with their
scripts, verifies the voice by recording the random sentence (an upload), trains, reads the
held-out comparison, approves and prices per started 100 words; a buyer writes a script,
hears the watermarked preview, buys it and downloads the narration, whose content credentials
verify against the anchor the server publishes. Each page also fits a 390 px phone;
screenshots go to docs/screenshots/voice-journey-*.png.

The journey runs its own server (the shared one keeps the product's defaults): a voice model
needs 15 seconds of recordings instead of three minutes and trains a capped number of steps,
as the API test of voice models does, and the demo's models do not train beside it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.backends import Backends, free_port
from tests.browser.conftest import _wait_until_healthy
from tests.browser.test_journeys import admin_invites, sign_up
from tests.ml.voice.factories import SHORT_SCRIPTS
from tests.voice.factories import script_of
from twinwork.kit import content_credentials
from twinwork.kit.content_credentials import ValidationState
from twinwork.ml.voice.demo import artist_recording
from twinwork.ml.voice.signal import resample, to_wav

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= 390"
FREELANCER = "Vera Voice"
MODEL = "Vera's voice"
RECORDINGS = 5
SCRIPT_WORDS = 110
"""Two started hundreds: the price reads 2 × $2.50."""


@pytest.fixture(scope="module")
def voice_server(backends: Backends) -> Iterator[str]:
    """`twinwork serve` with the demo's people (its operator invites), quick voice settings,
    and its own database, data dir, storage prefix and queue."""
    env = {
        **os.environ,
        "TWINWORK_DATABASE_URL": backends.new_database_url("twinwork_voice_browser"),
        "TWINWORK_DATA_DIR": str(backends.root / "voice-browser-data"),
        "TWINWORK_VOICE_MIN_SECONDS": "15",
        "TWINWORK_TRAINING_MAX_STEPS": "80",
        "TWINWORK_DEMO_TRAIN_MODELS": "false",
    }
    if env.get("TWINWORK_STORAGE_URL", "").startswith("s3://"):
        env["TWINWORK_STORAGE_URL"] = env["TWINWORK_STORAGE_URL"].rstrip("/") + "/voice-browser"
    for name, db in (("TWINWORK_QUEUE_URL", 4), ("TWINWORK_RATE_LIMIT_STORAGE_URL", 5)):
        if env.get(name, "").startswith("redis://"):
            env[name] = env[name].rsplit("/", 1)[0] + f"/{db}"
    command = [sys.executable, "-m", "twinwork"]
    for args in (["migrate"], ["demo", "--search-events", "100"]):
        done = subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    port = free_port()
    log = open(backends.root / "voice-browser-server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, server)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
        log.close()


def recording(script: str, path: Path) -> Path:
    """The freelancer reading ``script``, as a 44.1 kHz WAV from their recorder."""
    audio, rate = artist_recording(script)
    path.write_bytes(to_wav(resample(audio, rate, 44_100), 44_100))
    return path


def fits_phone(page: Page, name: str) -> None:
    """Screenshots at desktop width and on a phone; the phone must not scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / f"voice-journey-{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{page.url} scrolls sideways at 390 px"
    page.screenshot(path=str(SCREENSHOTS / f"voice-journey-{name}-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def join_the_program(page: Page) -> None:
    page.get_by_role("link", name="Program").click()
    expect(page.locator("#admitted-notice")).to_be_visible()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Join for $25 a month").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to the creation program")


def upload_recordings(page: Page, directory: Path) -> None:
    page.get_by_role("link", name="Portfolio").click()
    form = page.locator("#add-recording")
    for n, script in enumerate(SHORT_SCRIPTS[:RECORDINGS], start=1):
        form.get_by_label("Recording", exact=True).set_input_files(
            recording(script, directory / f"{n}.wav")
        )
        form.get_by_label("Script", exact=True).fill(script)
        form.get_by_label("Title", exact=True).fill(f"Radio read {n}")
        form.get_by_label("This is my own voice").check()
        form.get_by_label("Use it to train my personal voice model").check()
        form.get_by_role("button", name="Add recording").click()
        expect(page.get_by_role("status")).to_contain_text("Sample added")
    expect(page.locator("#recording-needed")).to_contain_text("Enough to train a voice model")
    expect(page.locator("#samples audio")).to_have_count(RECORDINGS)


def test_voice_model_from_recordings_to_a_credentialed_narration(
    page: Page, voice_server: str, browser: Any, tmp_path: Path
) -> None:
    """Freelancer: joins the program, uploads five recordings with their scripts, creates a
    voice model, is refused training until the voice is verified, verifies it by uploading a
    take of the random sentence, trains, hears the held-out takes, approves, prices per
    started 100 words and activates. Buyer: previews a 110-word script (2 units), buys it,
    downloads the WAV: trusted content credentials naming the freelancer."""
    page.set_viewport_size(DESKTOP)
    email = sign_up(page, voice_server, FREELANCER, freelancer=True)
    admin_invites(browser, voice_server, email)
    join_the_program(page)
    upload_recordings(page, tmp_path)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="AI models").click()
    page.get_by_label("Name").fill(MODEL)
    page.get_by_label("Kind").select_option("voice")
    page.get_by_role("button", name="Create model").click()
    expect(page.get_by_role("heading", name=MODEL)).to_be_visible()
    expect(page.locator(".page-header")).to_contain_text("Voice model")
    links = page.locator("#model-links")
    expect(links).to_contain_text("Not verified yet")
    page.get_by_role("button", name="Train a new version").click()
    expect(page.locator("#model-error")).to_contain_text("Verify your voice before training")

    # The model page leads to the voice page: the sentence, recorded and uploaded.
    links.get_by_role("link", name="Voice verification and held-out takes").click()
    expect(
        page.get_by_role("heading", name="Your voice: verification and evaluation")
    ).to_be_visible()
    phrase = page.locator("#phrase").inner_text().strip()
    take = recording(phrase, tmp_path / "verification.wav")
    page.get_by_label("Your take of the sentence").set_input_files(take)
    page.get_by_role("button", name="Check my voice").click()
    expect(page.locator("#verification-result")).to_contain_text("Verified")
    expect(page.locator("#verified-status")).to_contain_text("Verified")
    fits_phone(page, "verification")

    page.get_by_role("link", name="Train, approve and price this model").click()
    expect(page.locator("#model-links")).not_to_contain_text("Not verified yet")
    page.get_by_role("button", name="Train a new version").click()
    # The page polls the run and reloads itself when it ends.
    expect(page.locator("#version-1")).to_be_visible(timeout=300_000)
    model_url = page.url.split("?")[0]
    model_id = model_url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("#version-1")).to_contain_text("Speaker similarity")

    # The held-out comparison, on the voice page: the evidence, and takes to hear.
    page.goto(f"{voice_server}/dashboard/models/{model_id}/voice")
    version = page.locator("#voice-version-1")
    expect(version).to_contain_text("Trained on a verified voice")
    expect(version.locator("audio").first).to_be_attached()
    page.goto(model_url)

    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_role("status")).to_contain_text("Version approved")
    page.get_by_label("Price per started 100 words (USD)").fill("2.50")
    page.get_by_label("Licence").select_option("commercial")
    page.get_by_role("button", name="Save price and licence").click()
    expect(page.get_by_role("status")).to_contain_text("Price and licence saved")
    page.get_by_role("button", name="Activate").click()
    expect(page.locator("#model-status")).to_have_text("Active")
    expect(page.get_by_text("at $2.50 per started 100 words")).to_be_visible()
    fits_phone(page, "model")

    buyer_context = browser.new_context(viewport=DESKTOP)
    buyer = buyer_context.new_page()
    sign_up(buyer, voice_server, "Ben Buyer", freelancer=False)
    buyer.goto(voice_server + "/dashboard/wallet")
    buyer.get_by_label("Amount (USD)").fill("20")
    buyer.get_by_label("Card number").fill("4242 4242 4242 4242")
    buyer.get_by_role("button", name="Top up").click()
    expect(buyer.locator("#wallet-balance")).to_have_text("$20")

    buyer.goto(f"{voice_server}/models/{model_id}")
    expect(buyer.get_by_role("heading", name=MODEL)).to_be_visible()
    expect(buyer.locator("#price-unit")).to_have_text("per started 100 words")
    expect(buyer.locator(".model-note")).to_contain_text("Voice verified")
    buyer.get_by_label("Your brief").fill(script_of(SCRIPT_WORDS))
    buyer.get_by_role("button", name="Generate a free preview").click()
    expect(buyer.get_by_role("heading", name="Preview")).to_be_visible(timeout=180_000)
    preview = buyer.locator("#preview-files audio")
    expect(preview).to_have_count(1)
    preview_url = live_url(voice_server, preview.get_attribute("src"))
    heard = buyer.context.request.get(preview_url)
    assert heard.ok and heard.headers["content-type"] == "audio/mpeg"
    expect(buyer.locator("#price-summary")).to_contain_text("2 × $2.50 = $5")
    fits_phone(buyer, "preview")

    buyer.get_by_role("button", name="Buy for $5").click()
    expect(buyer.get_by_role("status")).to_contain_text("Purchased")
    expect(buyer.get_by_role("heading", name="Your files", level=1)).to_be_visible()
    expect(buyer.locator("#paid-summary")).to_have_text("2 × $2.50 = $5")
    files = buyer.locator("#files .file-list")
    expect(files).to_contain_text("narration.wav")
    expect(files).to_contain_text("narration.mp3")
    wav_link = files.get_by_role("link", name="narration.wav")
    answer = buyer.context.request.get(live_url(voice_server, wav_link.get_attribute("href")))
    assert answer.ok, answer.status
    wav = answer.body()
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"

    anchor = buyer.context.request.get(
        voice_server + "/api/v1/certificates/content-credentials-anchor"
    )
    assert anchor.ok and "BEGIN CERTIFICATE" in anchor.text()
    report = content_credentials.read(wav, "audio/wav", trust_anchor_pem=anchor.text())
    assert report.state is ValidationState.TRUSTED, report.failures
    assert report.creator_name == FREELANCER
    assert report.digital_source_type == "trainedAlgorithmicMedia"
    for label in ("c2pa.training-mining", "cawg.training-mining"):
        uses = report.training_mining(label)
        assert uses and set(uses.values()) == {"notAllowed"}, (label, uses)
    # The manifest as c2pa reads it back, kept beside the screenshots for readers of the docs.
    store = content_credentials.read_store(wav, "audio/wav", trust_anchor_pem=anchor.text())
    assert store["validation_state"] == "Trusted"
    (SCREENSHOTS / "voice-journey-purchase-manifest.json").write_text(
        json.dumps(store, indent=2, sort_keys=True) + "\n"
    )
    expect(buyer.locator("#certificate-link")).to_be_visible()
    fits_phone(buyer, "purchase")
    buyer_context.close()


def live_url(base_url: str, path: str | None) -> str:
    assert path and re.match(r"^/[A-Za-z0-9/_.-]+$", path), path
    return base_url + path
