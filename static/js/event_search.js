// The referral form's outreach-event search (referrals/referral_form_event_search.html).
// htmx fetches the matching events as one types; here Enter in the search box and its
// Search button ask htmx too, instead of sending the whole form back as they do without
// JavaScript.
(function () {
  "use strict";

  function search(input) {
    if (window.htmx) {
      window.htmx.trigger(input, "search");
    }
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-psp-event-search-input]");
    if (input && event.key === "Enter" && window.htmx) {
      event.preventDefault();
      search(input);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-psp-event-search-button]");
    if (!button || !window.htmx) {
      return;
    }
    event.preventDefault();
    var input = button
      .closest("[data-psp-event-search]")
      .querySelector("[data-psp-event-search-input]");
    search(input);
    input.focus();
  });
})();
