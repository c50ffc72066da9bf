/* The API docs page (Swagger UI), mended where it falls short of WCAG 2.1 AA as it draws
   itself: code samples that scroll can take focus (so a keyboard can scroll them), the
   dialog's close button has a name, and the "Authorize" buttons' names say what they show. */
(function () {
  "use strict";

  function mend(root) {
    root.querySelectorAll(".microlight, .curl, .highlight-code pre").forEach(function (code) {
      if (!code.hasAttribute("tabindex")) {
        code.setAttribute("tabindex", "0");
        code.setAttribute("role", "region");
        code.setAttribute("aria-label", code.classList.contains("curl") ? "curl" : "Example");
      }
    });
    root.querySelectorAll(".close-modal:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", "Close");
    });
    root.querySelectorAll(".auth-btn-wrapper button[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
    });
  }

  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root) {
      return;
    }
    mend(root);
    new MutationObserver(function () {
      mend(root);
    }).observe(root, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
