"""The Stripe card-field script in a real browser, against a stand-in for Stripe.js (Stripe
itself cannot be reached here): the form posts a PaymentMethod id, never the card number."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from playwright.sync_api import Page, Route, expect

SCRIPT = (
    Path(__file__).resolve().parents[2] / "src/twinwork/web/static/card-fields.js"
).read_text()
# Just enough of Stripe.js: a card Element that is a plain input, and a PaymentMethod made
# from what was typed ("bad" is refused as Stripe would refuse an incomplete number).
FAKE_STRIPE = """
window.Stripe = function (key) {
  return {
    elements: function () {
      return { create: function () {
        var handlers = {};
        return {
          mount: function (el) {
            var field = document.createElement("input");
            field.className = "fake-card";
            el.appendChild(field);
            field.addEventListener("input", function () {
              if (handlers.change) handlers.change({ empty: field.value === "", error: null });
            });
          },
          on: function (name, fn) { handlers[name] = fn; }
        };
      } };
    },
    createPaymentMethod: function () {
      var typed = document.querySelector(".fake-card").value;
      if (typed === "bad") {
        return Promise.resolve({ error: { message: "Your card number is incomplete." } });
      }
      return Promise.resolve({ paymentMethod: { id: "pm_fake_" + typed + "_" + key } });
    }
  };
};
"""
PAGE = f"""<!doctype html><html><head><script>{FAKE_STRIPE}</script></head>
<body data-stripe-key="pk_test_x">
<form action="/pay" method="post">
  <input name="amount" value="25">
  <input name="card_number" data-card-field required>
  <button type="submit">Pay</button>
</form>
<script>{SCRIPT}</script></body></html>"""
OPTIONAL_PAGE = PAGE.replace(" data-card-field required", " data-card-field")


def serve(page: Page, html: str) -> list[dict[str, list[str]]]:
    posted: list[dict[str, list[str]]] = []

    def handle(route: Route) -> None:
        if route.request.method == "POST":
            posted.append(parse_qs(route.request.post_data or "", keep_blank_values=True))
            route.fulfill(status=200, content_type="text/html", body="<p id=done>paid</p>")
        else:
            route.fulfill(status=200, content_type="text/html", body=html)

    page.route("http://twinwork.test/**", handle)
    page.goto("http://twinwork.test/")
    return posted


def test_the_form_posts_a_payment_method_id_and_shows_stripes_errors(page: Page) -> None:
    posted = serve(page, PAGE)
    expect(page.locator("input[name=card_number]")).to_have_attribute("type", "hidden")
    page.locator(".fake-card").fill("bad")
    page.get_by_role("button", name="Pay").click()
    expect(page.locator(".field-error")).to_have_text("Your card number is incomplete.")
    assert posted == []
    page.locator(".fake-card").fill("4242")
    page.get_by_role("button", name="Pay").click()
    expect(page.locator("#done")).to_have_text("paid")
    assert posted == [{"amount": ["25"], "card_number": ["pm_fake_4242_pk_test_x"]}]


def test_an_optional_card_left_empty_posts_no_card(page: Page) -> None:
    posted = serve(page, OPTIONAL_PAGE)
    page.get_by_role("button", name="Pay").click()
    expect(page.locator("#done")).to_have_text("paid")
    assert posted == [{"amount": ["25"], "card_number": [""]}]


def test_without_stripe_js_the_card_form_never_posts_a_card_number(page: Page) -> None:
    posted = serve(page, PAGE.replace(f"<script>{FAKE_STRIPE}</script>", ""))
    expect(page.locator(".field-error")).to_contain_text("could not load")
    expect(page.locator("input[name=card_number]")).to_have_attribute("type", "hidden")
    expect(page.get_by_role("button", name="Pay")).to_be_disabled()
    assert posted == []
