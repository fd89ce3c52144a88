// The working-memory editor (templates/memory_editor/editor.html). The live preview and diff are
// plain htmx attributes; this file only stops a save the server would refuse for size anyway, so a
// very large paste never leaves the page (the draft stays in the textarea either way).
(function () {
  "use strict";

  function formatSize(n) {
    if (n < 1024) return n + " bytes";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KiB";
    return (n / (1024 * 1024)).toFixed(2) + " MiB";
  }

  // The stored size: JSON is stored compact, as Mastra's JSON.stringify writes it.
  function storedSize(text, mode) {
    var value = text.replace(/\r\n/g, "\n");
    if (mode === "json") {
      try {
        value = JSON.stringify(JSON.parse(value));
      } catch (error) {
        return null; // invalid JSON: the server explains that
      }
    }
    return new TextEncoder().encode(value).length;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "memory-form") return;
    var submitter = event.submitter;
    if (!submitter || submitter.value !== "save") return;
    var area = form.querySelector("textarea[name=draft]");
    var message = document.getElementById("client-size-error");
    var limit = parseInt(form.dataset.maxBytes, 10);
    var size = storedSize(area.value, form.dataset.mode);
    if (size !== null && size > limit) {
      event.preventDefault();
      message.textContent =
        "This working memory is " + formatSize(size) + "; the most this store can hold is " +
        formatSize(limit) + ". Nothing was sent.";
      message.hidden = false;
    } else if (message) {
      message.hidden = true;
    }
  });
})();
