// Keyboard navigation for lists: in a table marked `data-keynav`, `j` / `k` move the selection
// between rows that carry `data-keynav-href`, and Enter opens the selected row. Works on rows htmx
// swaps in later (the lookup happens on each key press). Static file: the CSP allows no inline JS.
(function () {
  "use strict";

  var SELECTED = "is-selected";

  function rows() {
    var table = document.querySelector("table[data-keynav]");
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-keynav-href]")) : [];
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function select(list, index) {
    list.forEach(function (row, i) {
      var on = i === index;
      row.classList.toggle(SELECTED, on);
      if (on) {
        row.setAttribute("aria-current", "true");
        row.scrollIntoView({ block: "nearest" });
      } else {
        row.removeAttribute("aria-current");
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var list = rows();
    if (!list.length) return;
    var current = list.findIndex(function (row) { return row.classList.contains(SELECTED); });
    if (event.key === "j") {
      select(list, Math.min(current + 1, list.length - 1));
      event.preventDefault();
    } else if (event.key === "k") {
      select(list, current <= 0 ? 0 : current - 1);
      event.preventDefault();
    } else if (event.key === "Enter" && current >= 0) {
      // A focused link or button handles Enter itself.
      var tag = event.target && event.target.tagName ? event.target.tagName.toLowerCase() : "";
      if (tag === "a" || tag === "button" || tag === "summary") return;
      event.preventDefault();
      window.location.assign(list[current].getAttribute("data-keynav-href"));
    }
  });
})();
