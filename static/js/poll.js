// Visibility-aware polling for regions that refresh themselves. CSP-safe: no hx-trigger filters, no
// hx-on; the server decides everything through attributes.
//
//   <div id="run-live" data-poll="5000" data-poll-hidden="60000">…</div>
//
// Every `data-poll` ms while the tab is visible (every `data-poll-hidden` ms while it is hidden, and
// once straight away when it becomes visible again) the element is fetched again from the page's
// current URL (so query-string state such as a selected step is kept) with htmx, as a partial
// request whose HX-Target is the element's id, and swapped (outerHTML). The server stops the
// polling by answering with the element without `data-poll`. An element with `data-poll-url` is
// fetched from that address instead (one that says what the page already shows, so the answer can
// be only what is new); the server moves it on with each answer.
(function () {
  "use strict";

  var timers = {};
  var inFlight = {};

  function interval(el) {
    var visible = Number(el.dataset.poll) || 5000;
    var hidden = Number(el.dataset.pollHidden) || visible * 12;
    return document.hidden ? hidden : visible;
  }

  function refresh(id) {
    var el = document.getElementById(id);
    if (!el || !el.hasAttribute("data-poll") || inFlight[id] || typeof htmx === "undefined") {
      return;
    }
    inFlight[id] = true;
    var done = function () {
      inFlight[id] = false;
      schedule();
    };
    htmx
      .ajax("GET", el.dataset.pollUrl || window.location.pathname + window.location.search, {
        source: el,
        target: el,
        swap: "outerHTML",
      })
      .then(done, done);
  }

  // (Re)arm one timer per polling element; elements that stopped polling lose theirs.
  function schedule() {
    var seen = {};
    document.querySelectorAll("[data-poll][id]").forEach(function (el) {
      seen[el.id] = true;
      if (timers[el.id] || inFlight[el.id]) return;
      timers[el.id] = window.setTimeout(function () {
        delete timers[el.id];
        refresh(el.id);
      }, interval(el));
    });
    Object.keys(timers).forEach(function (id) {
      if (!seen[id]) {
        window.clearTimeout(timers[id]);
        delete timers[id];
      }
    });
  }

  document.addEventListener("visibilitychange", function () {
    // The interval depends on visibility: drop the pending timers and start over. Coming back to
    // the tab refreshes at once, so it never shows a minute-old state.
    Object.keys(timers).forEach(function (id) {
      window.clearTimeout(timers[id]);
      delete timers[id];
    });
    if (!document.hidden) {
      document.querySelectorAll("[data-poll][id]").forEach(function (el) {
        refresh(el.id);
      });
    }
    schedule();
  });

  document.addEventListener("DOMContentLoaded", schedule);
  // A region that starts polling after a swap (e.g. a run that was resumed) is picked up too.
  document.addEventListener("htmx:afterSettle", schedule);
})();
