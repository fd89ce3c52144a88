// Thread page behaviour: long text parts start clamped to a few screens; their "Show all" button
// lifts the clamp. Delegated on document, so messages that "Load older" inserts work too.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-clamp-toggle]") : null;
    if (!button) return;
    var body = button.previousElementSibling;
    if (!body || !body.hasAttribute("data-clamp")) return;
    var expanded = body.classList.toggle("is-expanded");
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = expanded ? "Show less" : button.dataset.label;
  });
})();
