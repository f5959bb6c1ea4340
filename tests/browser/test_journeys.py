"""User journeys end to end: a real server, a real browser."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_ADMIN, PUBLIC_ID

PASSWORD = "correct horse battery"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_up(page: Page, base_url: str, name: str, *, freelancer: bool) -> str:
    email = f"{uuid.uuid4().hex[:10]}@example.test"
    page.goto(base_url + "/")
    page.get_by_role("link", name="Join").click()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if freelancer:
        page.get_by_label("Sell my services").check()
        page.get_by_label("Hire freelancers").uncheck()
    page.get_by_role("button", name="Create account").click()
    return email


def test_buyer_signs_up_searches_filters_and_opens_a_gig(page: Page, live_server: str) -> None:
    sign_up(page, live_server, "Bea Buyer", freelancer=False)
    expect(page.get_by_role("heading", name="Welcome, Bea Buyer")).to_be_visible()

    page.get_by_label("Search gigs").fill("logo")
    page.get_by_label("Search gigs").press("Enter")
    expect(page.get_by_role("heading", name="Results for “logo”")).to_be_visible()
    expect(page.locator(".gig-card").first).to_be_visible()
    all_count = page.locator(".gig-card").count()
    expect(page.locator("#results mark").first).to_be_visible()

    # Filtering swaps the results in place (htmx) and keeps the URL shareable.
    page.get_by_label("Category").select_option("graphic-design")
    expect(page).to_have_url(re.compile(r"category=graphic-design"))
    expect(page.locator(".gig-card-category").first).to_have_text("Graphic design")
    assert page.locator(".gig-card").count() < all_count

    page.get_by_label("Sort by").select_option("price_asc")
    expect(page).to_have_url(re.compile(r"sort=price_asc"))
    first_title = page.locator(".gig-card-title a").first.inner_text()
    page.locator(".gig-card-title a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first_title)
    expect(page.locator(".package").first).to_contain_text("delivery")


def test_freelancer_creates_and_publishes_a_gig(page: Page, live_server: str) -> None:
    sign_up(page, live_server, "Fen Freelancer", freelancer=True)
    expect(page.get_by_role("heading", name="Seller dashboard")).to_be_visible()
    expect(page.get_by_text("You have no gigs yet")).to_be_visible()

    word = "Brightwater" + uuid.uuid4().hex[:6]
    page.get_by_role("link", name="Create your first gig").click()
    page.get_by_label("Title", exact=True).fill(f"I will record a {word} podcast intro")
    page.get_by_label("Category", exact=True).select_option("voice-over")
    page.get_by_label("Description").fill(
        "A warm, confident intro and outro for your show, recorded in a treated booth."
    )
    page.get_by_label("Tags (up to 5, comma separated)").fill("podcast, intro")
    basic = page.locator("fieldset", has_text="Basic package")
    basic.get_by_label("Price (USD)", exact=True).fill("-5")
    basic.get_by_label("Delivery (days)").fill("2")
    page.get_by_label("Visibility").select_option("published")
    page.get_by_role("button", name="Create gig").click()
    expect(page.get_by_role("alert")).to_contain_text("Please fix")  # a negative price

    basic = page.locator("fieldset", has_text="Basic package")
    basic.get_by_label("Price (USD)", exact=True).fill("40")
    page.get_by_role("button", name="Create gig").click()
    expect(page.get_by_role("status")).to_contain_text("Your gig is live")

    page.get_by_label("Search gigs").fill(word)
    page.get_by_label("Search gigs").press("Enter")
    expect(page.locator(".gig-card")).to_have_count(1)
    expect(page.locator(".gig-card")).to_contain_text("From $40")


def fits_a_phone(page: Page, name: str) -> None:
    """The page as it stands, also on a 390 px phone: nothing scrolls sideways there. Both
    widths are saved as docs/screenshots/journey-<name>-<width>.png."""
    size = page.viewport_size or DESKTOP
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SCREENSHOTS / f"journey-{name}-1280.png"))
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a phone"
    page.screenshot(path=str(SCREENSHOTS / f"journey-{name}-390.png"))
    page.set_viewport_size(size)


def pay_at_checkout(page: Page) -> None:
    """The checkout summary comes between the gig's order form and paying."""
    expect(page.get_by_role("heading", name="Check your order")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Pay .* and place the order")).click()


def accept_delivery(page: Page) -> None:
    """Accepting pays the freelancer: the page asks to confirm first."""
    page.locator("#confirm-accept summary").click()
    page.get_by_role("button", name="Yes, accept and pay").click()


def signed_in_admin(browser: Any, live_server: str) -> Page:
    admin: Page = browser.new_context().new_page()
    admin.goto(live_server + "/login")
    admin.get_by_label("Email").fill(DEMO_ADMIN[0])
    admin.get_by_label("Password").fill(DEMO_ADMIN[1])
    admin.get_by_role("button", name="Sign in").click()
    expect(admin.get_by_role("heading", name="Operations")).to_be_visible()
    return admin


def seats_used(admin: Page) -> int:
    text = admin.locator("#seats-used").inner_text()
    return int(text.split("/")[0].strip().replace(",", ""))


def save_rules(admin: Page, seat_limit: int, *, open_to_all: bool = False) -> None:
    if open_to_all:
        admin.get_by_label("Lowest seller level").select_option("new")
        admin.get_by_label("Lowest rating").fill("0")
        admin.get_by_label("Completed orders").fill("0")
        admin.get_by_label("Samples with consent to train").fill("0")
    admin.get_by_label("Seats").fill(str(seat_limit))
    admin.get_by_role("button", name="Save rules").click()
    expect(admin.get_by_role("status")).to_contain_text("Rules saved")


def admin_invites(browser: Any, live_server: str, email: str) -> None:
    """The operator gives a new freelancer a seat (the demo's program is full: more seats
    first, for the waitlist and this invitation)."""
    admin = signed_in_admin(browser, live_server)
    admin.goto(live_server + "/admin/program")
    save_rules(admin, 100_000)
    admin.get_by_label("Freelancer's email").fill(email)
    admin.get_by_role("button", name="Invite").click()
    expect(admin.get_by_role("status")).to_contain_text("Invited")
    admin.context.close()


def test_weak_password_shows_a_form_error(page: Page, live_server: str) -> None:
    page.goto(live_server + "/signup")
    page.get_by_label("Your name").fill("Weak Password")
    page.get_by_label("Email").fill("weak@example.test")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".field-error")).to_contain_text("too easy to guess")


def test_admin_reads_the_operations_page(page: Page, live_server: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(DEMO_ADMIN[0])
    page.get_by_label("Password").fill(DEMO_ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Operations")).to_be_visible()
    expect(page.locator("#money-totals")).to_contain_text("held in escrow")
    expect(page.locator("#ageing")).to_contain_text("over 7 days")
    accounts = page.locator("section", has=page.get_by_role("heading", name="Accounts"))
    expect(accounts.locator("tbody")).to_contain_text("@demo.twinwork.test")
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 1 of")


def test_buyer_tops_up_the_wallet(page: Page, live_server: str) -> None:
    sign_up(page, live_server, "Wally Wallet", freelancer=False)
    page.get_by_role("link", name="Add money or see your history").click()
    expect(page.get_by_text("No payments yet")).to_be_visible()
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name="Top up").click()
    expect(page.locator(".field-error")).to_contain_text("declined")
    page.get_by_label("Amount (USD)").fill("40")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Top up").click()
    expect(page.get_by_role("status")).to_contain_text("Payment received")
    expect(page.locator("#wallet-balance")).to_have_text("$40")
    expect(page.locator("#wallet-history")).to_contain_text("Card ending 4242")
    expect(page.locator("#card-payments")).to_contain_text("Declined")
    page.get_by_role("link", name="Paid · receipt").click()
    expect(page.locator("#receipt-amount")).to_contain_text("$40")


LYRICS = [
    "Harbour lights are blinking slow, the ferry hums a lullaby; "
    "I fold your letters into boats and watch them sail the midnight sky.",
    "Sell the van and keep the song, the road was only ever borrowed; "
    "we sang the chorus twice as loud to drown the engine of tomorrow.",
    "Kitchen radio at dawn, your laugh between the stations; "
    "I would trade the city lights for one of those small conversations.",
    "Paper lanterns, fire escape, the summer hums in minor keys; "
    "I count the windows still awake and every one of them is me.",
]


def test_personal_model_from_samples_to_certificate_to_erasure(
    page: Page, live_server: str, browser: Any
) -> None:
    """Freelancer: joins the program, samples with consent, train, evaluation, approve, price,
    hybrid refinement price, activate, publishes a gig.
    Buyer: preview, purchase, certificate verified; then a hybrid order from the gig: the AI
    draft at once, the refined delivery with its disclosure, acceptance.
    Freelancer: withdraws both sales, switches the model off, then erases it."""
    email = sign_up(page, live_server, "Rae Lyric", freelancer=True)
    admin_invites(browser, live_server, email)
    page.get_by_role("link", name="Program").click()
    expect(page.locator("#admitted-notice")).to_be_visible()
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name="Join for $25 a month").click()
    expect(page.locator(".field-error")).to_contain_text("declined")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Join for $25 a month").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to the creation program")
    expect(page.locator("#invoices")).to_contain_text("Paid")
    page.get_by_role("link", name="Portfolio").click()
    expect(page.get_by_text("No samples yet")).to_be_visible()
    # The portfolio page has a form for text and one for designs: this is the text one.
    text_form = page.locator("form", has=page.get_by_role("button", name="Add sample"))
    for n, text in enumerate(LYRICS, start=1):
        text_form.get_by_label("Title").fill(f"Song {n}")
        text_form.get_by_label("Category").select_option("song-lyrics")
        text_form.get_by_label("Text", exact=True).fill(text)
        text_form.get_by_label("I own the rights to this work").check()
        text_form.get_by_label("Use it to train my personal model").check()
        text_form.get_by_role("button", name="Add sample").click()
        expect(page.get_by_role("status")).to_contain_text("Sample added")
    expect(page.locator("#consented-count")).to_have_text("4")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="AI models").click()
    page.get_by_label("Name").fill("Rae's lyrics")
    page.get_by_role("button", name="Create model").click()
    page.get_by_role("button", name="Train a new version").click()
    expect(page.get_by_label("Training progress")).to_be_visible()
    # The page polls the run and reloads itself when it ends.
    expect(page.locator("#version-1")).to_be_visible(timeout=240_000)
    expect(page.locator("#version-1")).to_contain_text("Perplexity")
    model_url = page.url.split("?")[0]
    model_id = model_url.rstrip("/").rsplit("/", 1)[-1]

    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_role("status")).to_contain_text("Version approved")
    page.get_by_label("Price per use (USD)").fill("4")
    page.get_by_label("Hand refinement for hybrid orders (USD, optional)").fill("6")
    page.get_by_label("Licence").select_option("commercial")
    page.get_by_role("button", name="Save price and licence").click()
    page.get_by_role("button", name="Activate").click()
    expect(page.locator("#model-status")).to_have_text("Active")

    page.goto(live_server + "/dashboard/gigs/new")
    page.get_by_label("Title", exact=True).fill("I will write lyrics for your wedding song")
    page.get_by_label("Category", exact=True).select_option("song-lyrics")
    page.get_by_label("Description").fill(
        "Original lyrics for a first dance, written from your story, in your own words."
    )
    basic = page.locator("fieldset", has_text="Basic package")
    basic.get_by_label("Price (USD)", exact=True).fill("60")
    basic.get_by_label("Delivery (days)").fill("3")
    page.get_by_label("Visibility").select_option("published")
    page.get_by_role("button", name="Create gig").click()
    expect(page.get_by_role("status")).to_contain_text("Your gig is live")
    gig_url = live_server + str(
        page.get_by_role("link", name="View gig page").get_attribute("href")
    )

    buyer_context = browser.new_context()
    buyer = buyer_context.new_page()
    sign_up(buyer, live_server, "Bo Buyer", freelancer=False)
    buyer.goto(live_server + "/dashboard/wallet")
    buyer.get_by_label("Amount (USD)").fill("20")
    buyer.get_by_label("Card number").fill("4242 4242 4242 4242")
    buyer.get_by_role("button", name="Top up").click()
    buyer.goto(f"{live_server}/models/{model_id}")
    expect(buyer.get_by_role("heading", name="Rae's lyrics")).to_be_visible()
    # What the freelancer approved, not perplexity numbers; how long, in the brief form.
    expect(buyer.locator("#examples .example-output").first).to_be_visible()
    expect(buyer.locator("#examples")).not_to_contain_text("erplexity")
    expect(buyer.locator("#options-form")).to_contain_text("Length")
    fits_a_phone(buyer, "model-page")
    buyer.get_by_label("Your brief").fill("Lyrics about a lighthouse keeper")
    buyer.get_by_role("button", name="Generate a free preview").click()
    # The preview streams into the model page, which then opens the stored generation.
    buyer.wait_for_url(re.compile(rf"/generations/{PUBLIC_ID}"), timeout=180_000)
    expect(buyer.locator(".preview-mark")).to_have_text("PREVIEW")
    expect(buyer.locator("#preview-text")).to_contain_text("…")
    buyer.get_by_role("button", name="Buy for $4").click()
    expect(buyer.get_by_role("status")).to_contain_text("Purchased")
    expect(buyer.locator("#licence")).to_contain_text("Commercial use")
    expect(buyer.locator("#full-text")).not_to_be_empty()
    buyer.get_by_role("link", name="View certificate").click()
    expect(buyer.locator("#certificate-status")).to_have_text(
        "Valid: signed by twinwork, unaltered."
    )
    expect(buyer.locator("#certificate-owner")).to_have_text("Rae Lyric")
    expect(buyer.get_by_role("button", name="Print / save as PDF")).to_be_visible()
    fits_a_phone(buyer, "certificate")
    certificate = buyer.locator("#certificate-json").text_content() or ""
    buyer.locator("#verify-link").click()
    expect(buyer.locator("#verify-result")).to_have_text(
        re.compile(r"^Valid: signed by twinwork, unaltered\. Read the certificate$")
    )
    buyer.goto(live_server + "/certificates/verify")
    buyer.get_by_label("Certificate (JSON)").fill(certificate.replace("Bo Buyer", "Eve"))
    buyer.get_by_role("button", name="Verify").click()
    expect(buyer.locator("#verify-result")).to_contain_text("Not valid")
    buyer.get_by_label("Certificate (JSON)").fill(certificate)
    buyer.get_by_role("button", name="Verify").click()
    expect(buyer.locator("#verify-result")).to_contain_text("Valid: signed by twinwork")

    # Hybrid: the model's draft at once ($4 + $6 refinement in escrow), refined by hand.
    buyer.goto(gig_url)
    basic = buyer.locator("#package-basic")
    basic.get_by_label("Hybrid", exact=True).check()
    basic.get_by_label("Brief").fill("Lyrics for a first dance by the sea")
    basic.get_by_role("button", name=re.compile("^Order")).click()
    expect(buyer.get_by_role("heading", name="Check your order")).to_be_visible()
    fits_a_phone(buyer, "checkout")
    pay_at_checkout(buyer)
    expect(buyer.get_by_role("status")).to_contain_text("held in escrow")
    expect(buyer.locator(".disclosure").first).to_have_text(
        "AI draft by Rae Lyric's model; Rae Lyric is refining it by hand."
    )
    expect(buyer.locator("#deliveries")).to_contain_text("Draft")
    hybrid_url = buyer.url.split("?")[0]

    page.goto(live_server + "/dashboard/orders")
    page.locator("#orders a").first.click()
    # The delivery box starts from the model's draft.
    expect(page.get_by_label("Your work")).not_to_have_value("")
    fits_a_phone(page, "hybrid-delivery")
    page.get_by_label("Your work").fill(
        "Waves keep time beneath our feet; the tide learned our names."
    )
    page.get_by_role("button", name="Deliver").click()
    expect(page.locator(".disclosure").last).to_have_text(
        "AI draft by Rae Lyric's model, refined by Rae Lyric."
    )
    buyer.goto(hybrid_url)
    expect(buyer.locator("#deliveries")).to_contain_text("refined by Rae Lyric.")
    expect(buyer.locator("#deliveries")).to_contain_text("the tide learned our names")
    accept_delivery(buyer)
    expect(buyer.locator("#order-status")).to_have_text("Completed")

    # The freelancer withdraws both sales: $4 + $10, less the 20% platform fee.
    page.get_by_role("link", name="Earnings").click()
    page.get_by_label("Amount (USD)").fill("50")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.locator(".field-error")).to_contain_text("withdraw up to")
    page.get_by_label("Amount (USD)").fill("11.20")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("status")).to_contain_text("Payout requested")
    for _ in range(30):  # the server's job consumer sends it
        if "Paid" in page.locator("#payouts").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#payouts")).to_contain_text("Paid")
    expect(page.locator("#available-amount")).to_have_text("$0")

    page.goto(model_url)
    page.get_by_role("button", name="Switch off").click()
    expect(page.locator("#model-status")).to_have_text("Inactive")
    buyer.goto(f"{live_server}/models/{model_id}")
    expect(buyer.get_by_role("alert")).to_contain_text("switched off")

    page.get_by_label("Type “Rae's lyrics” to confirm").fill("Rae's lyrics")
    page.get_by_role("button", name="Erase model").click()
    expect(page.get_by_role("heading", name="Erasure receipt")).to_be_visible()
    expect(page.locator("#receipt")).to_contain_text("1 licence")
    expect(page.locator("#receipt-json")).to_contain_text('"signature"')
    buyer.goto(f"{live_server}/models/{model_id}")
    expect(buyer.locator("body")).to_contain_text("erased")
    buyer_context.close()


def test_buyer_orders_human_work_freelancer_delivers_buyer_accepts(
    page: Page, live_server: str, browser: Any
) -> None:
    sign_up(page, live_server, "Olive Orderer", freelancer=False)
    page.goto(live_server + "/dashboard/wallet")
    page.get_by_label("Amount (USD)").fill("500")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Top up").click()
    page.goto(live_server + "/freelancers/noor-haddad-lyrics")
    page.locator(".gig-card a").first.click()
    basic = page.locator("#package-basic")
    basic.get_by_label("Brief").fill("Lyrics for a wedding first dance")
    basic.get_by_role("button", name=re.compile("^Order")).click()
    pay_at_checkout(page)
    expect(page.get_by_role("status")).to_contain_text("held in escrow")
    expect(page.locator("#order-status")).to_have_text("In progress")
    order_url = page.url.split("?")[0]

    seller_context = browser.new_context()
    seller = seller_context.new_page()
    seller.goto(live_server + "/login")
    seller.get_by_label("Email").fill("noor-haddad-lyrics@demo.twinwork.test")
    seller.get_by_label("Password").fill(DEMO_ADMIN[1])
    seller.get_by_role("button", name="Sign in").click()
    seller.goto(live_server + "/dashboard/orders")
    seller.locator("#orders a").first.click()
    seller.get_by_label("Your work").fill("Verse one: two hands, one song...")
    seller.get_by_role("button", name="Deliver").click()
    expect(seller.locator(".disclosure")).to_have_text("Made by hand by Noor Haddad.")
    seller_context.close()

    page.goto(order_url)
    expect(page.locator("#deliveries")).to_contain_text("two hands, one song")
    accept_delivery(page)
    expect(page.locator("#order-status")).to_have_text("Completed")
    page.get_by_label("Rating").select_option("5")
    page.get_by_role("button", name="Post review").click()
    expect(page.locator("#review")).to_contain_text("5/5")


def test_admin_resolves_a_buyers_dispute_with_a_partial_refund(
    page: Page, live_server: str, browser: Any
) -> None:
    """The demo's disputed order: the admin reads both sides and refunds part of the price;
    the buyer sees the decision and the refund in the wallet."""
    buyer_context = browser.new_context()
    buyer = buyer_context.new_page()
    buyer.goto(live_server + "/login")
    buyer.get_by_label("Email").fill("hello.kilnworks@demo.twinwork.test")
    buyer.get_by_label("Password").fill(DEMO_ADMIN[1])
    buyer.get_by_role("button", name="Sign in").click()
    buyer.goto(live_server + "/dashboard/orders")
    # The buyer's other demo orders are completed and reviewed.
    buyer.locator("#orders tr", has_text="Disputed").locator("a").first.click()
    expect(buyer.locator("#order-status")).to_have_text("Disputed")
    expect(buyer.locator("#dispute")).to_contain_text("electric kilns")

    page.goto(live_server + "/login")
    page.get_by_label("Email").fill(DEMO_ADMIN[0])
    page.get_by_label("Password").fill(DEMO_ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Disputes").click()
    page.locator("#disputes a").first.click()
    expect(page.get_by_role("heading", name="The buyer says")).to_be_visible()
    page.get_by_label("Refund to the buyer ($)").fill("abc")
    page.get_by_label("Decision, shown to both parties").fill("The kiln drawn is not theirs.")
    page.get_by_role("button", name="Resolve dispute").click()
    expect(page.locator(".field-error")).to_contain_text("Enter an amount in dollars")
    page.get_by_label("Refund to the buyer ($)").fill("10")
    page.get_by_role("button", name="Resolve dispute").click()
    expect(page.get_by_role("status")).to_contain_text("Resolved")
    expect(page.locator("#dispute-outcome")).to_contain_text("$10 refunded to the buyer")

    buyer.reload()
    expect(buyer.locator("#order-status")).to_have_text("Completed")
    expect(buyer.locator("#dispute-outcome")).to_contain_text("The kiln drawn is not theirs.")
    buyer.goto(live_server + "/dashboard/receipts")
    expect(buyer.locator("#receipts")).to_contain_text("Refund decided on a dispute")
    buyer_context.close()


def test_freelancer_applies_waits_on_the_waitlist_and_takes_a_freed_seat(
    page: Page, live_server: str, browser: Any
) -> None:
    """The program is full: an eligible freelancer applies and waits in line; the operator
    frees seats; the waitlist job offers one; the freelancer subscribes."""
    email = sign_up(page, live_server, "Wren Waitlist", freelancer=True)
    admin = signed_in_admin(browser, live_server)
    admin.goto(live_server + "/admin/program")
    save_rules(admin, seats_used(admin), open_to_all=True)  # every seat taken

    page.get_by_role("link", name="Program").click()
    expect(page.locator("#eligibility .check-fail")).to_have_count(0)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="On the waitlist")).to_be_visible()
    position = int(re.search(r"number (\d+)", page.locator("#application-status").inner_text())[1])
    expect(page.get_by_label("Card number")).to_have_count(0)

    admin.goto(live_server + "/admin/program?status=waitlisted")
    expect(admin.locator("#applications")).to_contain_text(email)
    save_rules(admin, seats_used(admin) + position)  # seats freed for everyone up to us

    for _ in range(60):  # the waitlist job runs in the server's own worker
        page.goto(live_server + "/dashboard/program")
        if page.locator("#admitted-notice").count():
            break
        page.wait_for_timeout(500)
    expect(page.locator("#admitted-notice")).to_be_visible()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Join for $25 a month").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to the creation program")
    admin.goto(live_server + "/admin/program?status=joined")
    expect(admin.locator("#applications")).to_contain_text(email)
