// With Stripe, card numbers never reach twinwork: every card field (an input marked
// data-card-field) becomes a Stripe Element, and on submit the form carries the PaymentMethod
// id (pm_...) that Stripe.js made from the card instead. Loaded only when Stripe is on.
(function () {
  "use strict";

  function setUp() {
    var key = document.body.dataset.stripeKey;
    if (!key) {
      return;
    }
    if (typeof window.Stripe !== "function") {
      // Stripe.js did not load (blocked, offline): never fall back to posting card numbers.
      document.querySelectorAll("input[data-card-field]").forEach(disable);
      return;
    }
    var stripe = window.Stripe(key);
    var elements = stripe.elements();
    document.querySelectorAll("input[data-card-field]").forEach(function (input) {
      replace(stripe, elements, input);
    });
  }

  function disable(input) {
    var note = document.createElement("p");
    note.className = "field-error";
    note.setAttribute("role", "alert");
    note.textContent = "The card form could not load. Reload the page to pay by card.";
    input.insertAdjacentElement("afterend", note);
    input.type = "hidden";
    input.value = "";
    if (input.required) {
      input.form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
        b.disabled = true;
      });
    }
  }

  function replace(stripe, elements, input) {
    var form = input.form;
    var required = input.required;
    var mount = document.createElement("div");
    mount.className = "card-element";
    var error = document.createElement("p");
    error.className = "field-error";
    error.setAttribute("role", "alert");
    input.insertAdjacentElement("afterend", mount);
    mount.insertAdjacentElement("afterend", error);
    input.type = "hidden";
    input.required = false;
    input.value = "";

    var card = elements.create("card", { hidePostalCode: true });
    var empty = true;
    card.mount(mount);
    card.on("change", function (event) {
      empty = event.empty;
      error.textContent = event.error ? event.error.message : "";
    });

    form.addEventListener("submit", function (event) {
      if (input.value.indexOf("pm_") === 0) {
        return; // made already: this is the real submit
      }
      if (empty && !required) {
        return; // an optional card left empty (paying from the wallet)
      }
      event.preventDefault();
      stripe.createPaymentMethod({ type: "card", card: card }).then(function (result) {
        if (result.error) {
          error.textContent = result.error.message;
          return;
        }
        input.value = result.paymentMethod.id;
        // On a later task: a form ignores a new submit while its submit event is firing.
        window.setTimeout(function () {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }, 0);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
