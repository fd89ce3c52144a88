// The working-memory editor (templates/memory_editor/editor.html). The live preview and diff are
// plain htmx attributes; this file only stops a request the server would refuse for size anyway, so
// a very large paste never leaves the page (the draft stays in the textarea either way):
// - a save over the store's limit (data-max-bytes, the stored size of the draft);
// - any POST over the server's request limit (data-max-request-bytes, Django's
//   DATA_UPLOAD_MAX_MEMORY_SIZE): the server cannot read such a body at all, so it could not even
//   show the draft again.
// It also asks before the page is left with an unsaved draft: on a full navigation (beforeunload)
// and on an htmx request that would replace the page (a boosted link, a pushed URL). The editor's
// own forms ([data-editor-form]) and explicit "discard" links ([data-discards-draft]) never ask.
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

  // --- unsaved draft ------------------------------------------------------------------------------

  var leaving = false;
  var LEAVE_QUESTION = "Your draft of this working memory is not saved. Leave the page and lose it?";

  function hasUnsavedDraft() {
    var form = document.getElementById("memory-form");
    var area = form && form.querySelector("textarea[name=draft]");
    if (!area || leaving) return false;
    // The server marks a draft it sent back unsaved (after a conflict or a refused save).
    return form.dataset.draftUnsaved === "true" || area.value !== area.defaultValue;
  }

  window.addEventListener("beforeunload", function (event) {
    if (!hasUnsavedDraft()) return;
    event.preventDefault();
    event.returnValue = ""; // older Chromium needs it set to show the prompt
  });

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-discards-draft]") : null;
    if (link) leaving = true;
  });

  // A request htmx makes from outside the editor's forms and that changes the page's URL is a
  // navigation: ask first (htmx:confirm lets a handler hold the request and issue it later).
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.closest || elt.closest("[data-editor-form]")) return;
    var navigates =
      elt.closest("[hx-boost=true]") || elt.closest("[hx-push-url]") || elt.closest("[data-hx-push-url]");
    if (!navigates || !hasUnsavedDraft()) return;
    event.preventDefault();
    if (window.confirm(LEAVE_QUESTION)) {
      leaving = true;
      event.detail.issueRequest(true);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.id !== "memory-form") {
      // The merge, the restore and its confirmation: the draft is dealt with by what they write.
      if (form.hasAttribute("data-editor-form")) leaving = true;
      return;
    }
    var submitter = event.submitter || null;
    var problem = tooLargeRequest(form, submitter);
    if (!problem && submitter && (submitter.value === "save" || submitter.value === "overwrite")) {
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
    else leaving = true;
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
