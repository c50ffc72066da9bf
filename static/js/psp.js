// Behaviour every page shares. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  // Move focus to the error summary so screen readers announce the problem first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-psp-error-summary]");
    if (summary) {
      summary.focus();
    }
  });

  // "Today" / "Yesterday" beside recent-date inputs; hidden until this script runs.
  // The date is the program's (its time zone, given by the page), not the tablet's: a
  // tablet set to another zone still says the day the server will check against.
  function localIsoDate(daysAgo, timeZone) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-US", {
        timeZone: timeZone || undefined, year: "numeric", month: "2-digit", day: "2-digit"
      }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
    } catch (error) {  // an unknown zone: the tablet's own
      var now = new Date();
      parts = { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
    }
    // Noon UTC on that calendar day, so stepping back whole days never crosses a DST edge.
    var day = new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day, 12));
    day.setUTCDate(day.getUTCDate() - daysAgo);
    return day.toISOString().slice(0, 10);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-psp-date-shortcut]").forEach(function (button) {
      button.hidden = false;
    });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-psp-date-shortcut]");
    if (!button) {
      return;
    }
    var input = document.getElementById(button.getAttribute("data-psp-date-target"));
    if (input) {
      input.value = localIsoDate(
        parseInt(button.getAttribute("data-psp-date-shortcut"), 10),
        button.getAttribute("data-psp-time-zone")
      );
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // A second tap on Save must not send the form twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-psp-submit-once")) {
      return;
    }
    if (form.dataset.pspSubmitted === "yes") {
      event.preventDefault();
      return;
    }
    form.dataset.pspSubmitted = "yes";
  });

  // Shared tablets: signing out removes every draft this browser kept.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-psp-clear-drafts]");
    if (!target) {
      return;
    }
    try {
      Object.keys(window.localStorage)
        .filter(function (key) { return key.indexOf("psp-draft:") === 0; })
        .forEach(function (key) { window.localStorage.removeItem(key); });
    } catch (error) {
      // Storage may be disabled; there is then nothing to clear.
    }
  });
})();
