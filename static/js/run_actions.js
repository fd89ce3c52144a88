// Run actions (templates/workflows/action.html): a sent form's button is disabled at once, so a
// double click sends one request. The server's one-use token is what guarantees it; this only spares
// the person a "was already sent" page.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-send-form], [data-run-action]")) {
      return;
    }
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
      button.setAttribute("aria-busy", "true");
    });
  });
})();
