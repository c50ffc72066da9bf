// Behaviour every page shares. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";

  // After an action, focus goes to what the page says about it, never back to the top of
  // the page (the GOV.UK error summary and notification banner): the error summary when a
  // form came back with problems, else the message the server left ("Signed off: ..."),
  // else what the page marks with data-psp-focus-on-load ("Contact saved"), else, after a
  // form was sent, the page's heading. A focused element is read out once: messages are
  // already on the page when it loads, so their role=status/alert live regions do not
  // speak a second time (live regions announce changes, not what a page starts with).
  var SUBMITTED = "psp-submitted";

  function focusTarget(root) {
    return root.querySelector("[data-psp-error-summary]") ||
      root.querySelector(".messages [role=alert]") ||
      root.querySelector(".messages [role=status]") ||
      root.querySelector("[data-psp-focus-on-load]");
  }
  function moveFocus(element) {
    if (!element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus({ focusVisible: true });
  }
  function afterSubmit() {
    try {
      var sent = window.sessionStorage.getItem(SUBMITTED);
      window.sessionStorage.removeItem(SUBMITTED);
      return Boolean(sent);
    } catch (error) {
      return false;  // storage disabled: no heading focus, the rest still works
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var submitted = afterSubmit();
    var target = focusTarget(document);
    if (!target && submitted) {
      target = document.querySelector("main h1");
    }
    if (target) {
      moveFocus(target);
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Forms htmx sends (it prevents the page load) are handled at htmx:afterSettle.
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") {
      return;
    }
    try {
      window.sessionStorage.setItem(SUBMITTED, "yes");
    } catch (error) {
      // Storage disabled: the next page still focuses its messages.
    }
  });
  // htmx answers to an action (not the polling GETs, which must leave focus alone) put focus
  // on what they bring in, the same way.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    if (!config || config.verb === "get") {
      return;
    }
    var swapped = event.detail.target || event.detail.elt;
    var target = swapped && (focusTarget(swapped) || swapped.querySelector("h1, h2"));
    if (target) {
      moveFocus(target);
    }
  });

  // A link in the error summary puts focus in its field and shows the field's label or
  // legend with it (GOV.UK: the page would otherwise scroll the label out of sight).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-psp-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = (field.labels && field.labels[0]) || field;
    var fieldset = field.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    if (legend && field.getBoundingClientRect().top - legend.getBoundingClientRect().top <
        window.innerHeight / 2) {
      label = legend;  // a radio or checkbox group: its question, not its first option
    }
    label.scrollIntoView();
    field.focus({ preventScroll: true, focusVisible: true });
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
  // For the contact form's checks before a contact is kept offline (activity_form.js).
  window.PSPDates = { localIsoDate: localIsoDate };
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

  // The folded menu (narrow screens) and the account menu: a button shows or hides what it
  // controls (the disclosure pattern), with Bootstrap's classes for the looks and none of
  // its 80 KB of script. The account menu closes on Escape (focus back on its button), on a
  // tap or focus elsewhere; the arrow keys move through its items.
  function setShown(button, target, shown) {
    target.classList.toggle("show", shown);
    button.classList.toggle("show", shown);
    button.classList.toggle("collapsed", !shown);
    button.setAttribute("aria-expanded", shown ? "true" : "false");
  }
  function openMenus() {
    return document.querySelectorAll("[data-psp-menu][aria-expanded=true]");
  }
  function menuOf(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }
  function closeMenus(except) {
    openMenus().forEach(function (button) {
      if (button !== except) {
        setShown(button, menuOf(button), false);
      }
    });
  }
  function menuItems(menu) {
    return Array.prototype.slice.call(menu.querySelectorAll(".dropdown-item"));
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-psp-disclosure], [data-psp-menu]");
    if (!button) {
      if (!event.target.closest(".dropdown-menu")) {
        closeMenus(null);
      }
      return;
    }
    event.preventDefault();
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) {
      return;
    }
    closeMenus(button);
    setShown(button, target, button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    var button = event.target.closest("[data-psp-menu]");
    var menu = event.target.closest(".dropdown-menu");
    if (!button && menu) {
      button = document.querySelector("[data-psp-menu][aria-controls='" + menu.id + "']");
    }
    if (!button) {
      return;
    }
    menu = menuOf(button);
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setShown(button, menu, false);
      button.focus();
      event.preventDefault();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var items = menuItems(menu);
      if (!items.length) {
        return;
      }
      setShown(button, menu, true);
      var at = items.indexOf(document.activeElement);
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = at === -1 ? (step === 1 ? 0 : items.length - 1) : (at + step + items.length) % items.length;
      items[next].focus();
      event.preventDefault();
    }
  });
  document.addEventListener("focusout", function (event) {
    var holder = event.target.closest(".dropdown");
    if (!holder || (event.relatedTarget && holder.contains(event.relatedTarget))) {
      return;
    }
    var button = holder.querySelector("[data-psp-menu][aria-expanded=true]");
    if (button && event.relatedTarget) {
      setShown(button, menuOf(button), false);
    }
  });
})();
