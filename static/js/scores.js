// The scorer page's filter form (templates/scores/scorer.html). Picking a date switches the range to
// "Custom dates" and picking a preset range clears the dates, so what the form sends is what the
// person sees; the table's order tabs keep the form's hidden "order" field in step, so a later filter
// change keeps the chosen order.
(function () {
  "use strict";

  // Capture phase: runs before htmx's change listener on the form reads the values.
  document.addEventListener(
    "change",
    function (event) {
      var field = event.target;
      var form = field.form;
      if (!form || form.id !== "score-filters") return;
      var range = form.querySelector("[data-range-select]");
      if (field.matches("[data-custom-date]") && field.value && range) {
        range.value = "custom";
      } else if (field === range && range.value !== "custom") {
        form.querySelectorAll("[data-custom-date]").forEach(function (input) { input.value = ""; });
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-order]") : null;
    if (!link) return;
    var input = document.querySelector("#score-filters [data-order-input]");
    if (input) input.value = link.dataset.order;
  });
})();
