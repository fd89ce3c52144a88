// The run page: keep the graph's and timeline's "selected step" marks in step with the step panel
// after it is swapped by htmx (the server marks them on full page loads and polls).
(function () {
  "use strict";

  function markSelected() {
    var panel = document.getElementById("step-panel");
    if (!panel) return;
    var key = panel.dataset.selectedStep || "";
    document.querySelectorAll("[data-step-key]").forEach(function (el) {
      if (!el.classList.contains("wf-node") && !el.classList.contains("wf-tl-row")) return;
      el.classList.toggle("is-selected", key !== "" && el.dataset.stepKey === key);
    });
    document.querySelectorAll("[data-select-step]").forEach(function (link) {
      if (key !== "" && link.dataset.selectStep === key) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && (target.id === "step-panel" || target.closest("#step-panel"))) {
      markSelected();
    }
  });
  // Back/forward between selected steps restores the page from the server; marks come with it.
})();
