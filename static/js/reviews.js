// The review page's keyboard: a / d agree or disagree, 1–5 quick scores, 0 clears the score,
// l goes to the labels, n to the note (Esc or Ctrl+Enter leaves it), u undoes the last change,
// j / → next item, k / ← previous, ? shows the keys. Every change is posted by htmx as it is made
// (the form's hx-trigger); before leaving for another item this waits until those posts are done,
// so moving on never cuts a save short. Static file: the CSP allows no inline JS.
(function () {
  "use strict";

  var pending = 0;

  function form() {
    return document.getElementById("review-form");
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" && target.type !== "radio" && target.type !== "checkbox" ||
      tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function changed(element) {
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function setScore(value) {
    var input = form() && form().querySelector("[name=human_score]");
    if (!input) return;
    input.value = value;
    changed(input);
  }

  function go(url) {
    if (!url) return;
    // Leaving a field fires its change (and so its save) first; then wait for every save.
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    var started = Date.now();
    (function wait() {
      if (pending > 0 && Date.now() - started < 15000) {
        window.setTimeout(wait, 30);
        return;
      }
      window.location.assign(url);
    })();
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (form() && form().contains(event.target)) pending += 1;
  });
  document.addEventListener("htmx:afterRequest", function () {
    pending = Math.max(0, pending - 1);
  });
  window.addEventListener("beforeunload", function (event) {
    if (pending > 0) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var quick = event.target.closest && event.target.closest("[data-quick-score]");
    if (quick) {
      event.preventDefault();
      setScore(quick.getAttribute("data-quick-score"));
      return;
    }
    var link = event.target.closest && event.target.closest("a[data-review-nav]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      go(link.href);
    }
  });

  function nav(kind) {
    var link = document.querySelector("a[data-review-nav=" + kind + "]");
    if (link) go(link.href);
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey) return;
    var target = event.target;
    if (target && target.name === "note") {
      if (event.key === "Escape" || (event.key === "Enter" && (event.ctrlKey || event.metaKey))) {
        event.preventDefault();
        target.blur();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || typing(target)) return;
    var f = form();
    var handled = true;
    var key = event.key;
    if (key === "j" || key === "ArrowRight") {
      nav("next");
    } else if (key === "k" || key === "ArrowLeft") {
      nav("previous");
    } else if (key === "?") {
      var help = document.getElementById("review-keys");
      if (help) help.open = !help.open;
    } else if (!f) {
      handled = false;
    } else if (key === "a" || key === "d") {
      var radio = f.querySelector("input[name=verdict][value=" + (key === "a" ? "agree" : "disagree") + "]");
      if (radio && !radio.checked) radio.click();
    } else if (/^[1-9]$/.test(key)) {
      var button = f.querySelector("[data-quick-key='" + key + "']");
      if (button) setScore(button.getAttribute("data-quick-score"));
      else handled = false;
    } else if (key === "0") {
      setScore("");
    } else if (key === "l") {
      var label = f.querySelector("input[name=labels]");
      if (label) label.focus();
    } else if (key === "n") {
      var note = f.querySelector("textarea[name=note]");
      if (note) note.focus();
    } else if (key === "u") {
      var undo = document.querySelector("[data-review-undo]");
      // htmx wires up swapped-in content only when it settles (~20 ms later): a fast "u" right
      // after a save would click a button that does nothing yet. process() is idempotent.
      if (undo && window.htmx) window.htmx.process(undo);
      if (undo) undo.click();
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });
})();
