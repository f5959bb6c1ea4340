// twinwork: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  var PHONE = window.matchMedia("(max-width: 800px)");

  // The main menu folds behind one button on phones.
  function setUpMenu() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.querySelector(".nav");
    if (!toggle || !nav) return;
    nav.classList.add("nav-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("nav-open", open);
    });
  }

  // Tables become cards on phones: each cell is labelled with its column's heading.
  function labelTableCells(root) {
    root.querySelectorAll("table.table").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!cell.hasAttribute("data-label") && headings[index]) {
            cell.setAttribute("data-label", headings[index]);
          }
        });
      });
      table.classList.add("table-cards");
    });
  }

  // Filters start folded on phones, so the first screen shows results.
  function foldFilters() {
    if (!PHONE.matches) return;
    document.querySelectorAll("details[data-fold-on-phones]").forEach(function (details) {
      details.open = false;
    });
  }

  // "Print / save as PDF" buttons (inline handlers are barred by the content security policy).
  function setUpPrintButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    setUpPrintButtons();
    labelTableCells(document);
    foldFilters();
  });
  document.addEventListener("htmx:afterSwap", function (event) { labelTableCells(event.target); });
})();
