// The working-memory editor (templates/memory_editor/editor.html). The live preview and diff are
// plain htmx attributes; this file only stops a request the server would refuse for size anyway, so
// a very large paste never leaves the page (the draft stays in the textarea either way):
// - a save over the store's limit (data-max-bytes, the stored size of the draft);
// - any POST over the server's request limit (data-max-request-bytes, Django's
//   DATA_UPLOAD_MAX_MEMORY_SIZE): the server cannot read such a body at all, so it could not even
//   show the draft again.
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

  // The size of the form as the browser sends it (application/x-www-form-urlencoded, UTF-8, line
  // breaks as CRLF); ``submitter`` adds its own name=value.
  function requestSize(form, submitter) {
    var body = new URLSearchParams(new FormData(form, submitter)).toString();
    return body.replace(/(%0D)?%0A/g, "%0D%0A").length;
  }

  function tooLargeRequest(form, submitter) {
    var limit = parseInt(form.dataset.maxRequestBytes, 10);
    if (!limit) return null;
    var size = requestSize(form, submitter);
    if (size <= limit) return null;
    return (
      "Your edit is larger than the " + formatSize(limit) + " the server accepts (this form would send " +
      formatSize(size) + "); nothing was sent. Your draft is still here: shorten it to save it."
    );
  }

  function show(message) {
    var box = document.getElementById("client-size-error");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "memory-form") return;
    var submitter = event.submitter || null;
    var problem = tooLargeRequest(form, submitter);
    if (!problem && submitter && submitter.value === "save") {
      var area = form.querySelector("textarea[name=draft]");
      var limit = parseInt(form.dataset.maxBytes, 10);
      var size = storedSize(area.value, form.dataset.mode);
      if (size !== null && size > limit) {
        problem =
          "This working memory is " + formatSize(size) + "; the most this store can hold is " +
          formatSize(limit) + ". Nothing was sent.";
      }
    }
    if (problem) event.preventDefault();
    show(problem);
  });

  // The live preview posts the same form on every pause in typing: over the request limit it is not
  // sent (htmx cancels a request whose htmx:beforeRequest event is prevented).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && elt.closest ? elt.closest("#memory-form") : null;
    if (!form) return;
    var problem = tooLargeRequest(form, null);
    if (problem) event.preventDefault();
    show(problem);
  });
})();
