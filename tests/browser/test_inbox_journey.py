"""The inbox end to end: a buyer contacts a freelancer from a gig, the freelancer takes over
and answers (the buyer's open page shows it without reloading), sends a custom offer, and the
buyer accepts it into an order with escrow."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_ADMIN, PUBLIC_ID
from tests.browser.test_journeys import sign_up

SELLER = "noor-haddad-lyrics"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_contact_take_over_live_reply_and_a_custom_offer_accepted(
    page: Page, live_server: str, browser: Any
) -> None:
    sign_up(page, live_server, "Ina Inquirer", freelancer=False)
    page.goto(f"{live_server}/freelancers/{SELLER}")
    page.locator(".gig-card a").first.click()
    page.get_by_role("link", name="Contact").click()
    page.get_by_label("Your message").fill("Could you write lyrics for a wedding in June?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".message-buyer").first).to_contain_text("wedding in June")
    expect(page.locator(".message-buyer .message-author").first).to_have_text("Ina Inquirer")
    thread_url = page.url.split("#")[0]

    seller_context = browser.new_context()
    seller = seller_context.new_page()
    seller.goto(live_server + "/login")
    seller.get_by_label("Email").fill(f"{SELLER}@demo.twinwork.test")
    seller.get_by_label("Password").fill(DEMO_ADMIN[1])
    seller.get_by_role("button", name="Sign in").click()
    expect(seller.locator("#nav-messages .unread-count")).to_be_visible()
    seller.locator("#nav-messages").click()
    seller.get_by_role("link", name="Ina Inquirer").click()
    take_over = seller.get_by_role("button", name="Take over")
    if take_over.count():
        take_over.click()
    expect(seller.get_by_role("button", name="Hand back to the assistant")).to_be_visible()
    seller.get_by_label("Your reply").fill("Yes! Tell me about the couple.")
    seller.get_by_role("button", name="Send", exact=True).click()

    # The buyer's page, open all along, shows the answer by itself (htmx polling).
    reply = page.locator(".message-freelancer", has_text="Tell me about the couple")
    expect(reply).to_be_visible(timeout=15_000)
    expect(reply.locator(".message-author")).to_have_text("Noor Haddad")

    seller.locator("#offer-form summary").click()
    seller.get_by_label("What the buyer gets").fill("Lyrics for a first-dance song, two verses.")
    seller.get_by_label("Price (USD)").fill("80")
    seller.get_by_label("Delivery (days)").fill("5")
    seller.get_by_label("Revisions").fill("2")
    seller.get_by_role("button", name="Send offer").click()
    expect(seller.get_by_role("status")).to_contain_text("Offer sent")
    seller_context.close()

    expect(page.locator(".offer")).to_contain_text("$80", timeout=15_000)
    # The thread, with an offer in it, fits a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate(OVERFLOW) <= 0, "the conversation scrolls sideways at 390 px"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/dashboard/wallet")
    page.get_by_label("Amount (USD)").fill("100")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Top up").click()
    page.goto(thread_url)
    page.get_by_role("button", name=re.compile("^Accept and pay")).click()
    # The package orders' checkout summary: the wallet covers it, so no card is asked for.
    expect(page.locator("#checkout-price")).to_contain_text("$80")
    expect(page.locator("#card_number")).to_have_count(0)
    page.get_by_role("button", name=re.compile("^Pay .* and place the order")).click()
    expect(page).to_have_url(re.compile(rf"/orders/{PUBLIC_ID}\?placed=1"))
    expect(page.locator("#order-status")).to_have_text("In progress")
    expect(page.locator(".order-facts")).to_contain_text("held in escrow")
    expect(page.get_by_text("Custom package")).to_be_visible()
