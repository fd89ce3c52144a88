// Site-wide htmx behaviour (htmx 2). Loaded with `defer` on every page; no inline scripts anywhere,
// so the CSP can forbid them.
(function () {
  "use strict";

  var SWAP_ERROR_HEADER = "X-Dashboard-Swap-Error";

  function loginPath() {
    return document.body.dataset.loginUrl || "/accounts/login/";
  }

  function toast(message) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var item = document.createElement("div");
    item.className = "toast";
    item.setAttribute("role", "alert");
    var text = document.createElement("span");
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { item.remove(); });
    item.append(text, close);
    box.append(item);
    window.setTimeout(function () { item.remove(); }, 10000);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;

    // The session expired and the request was redirected to the login page (the server normally
    // answers with HX-Redirect; this covers anything that slipped through): leave the page
    // instead of swapping a login form into a fragment.
    var finalUrl = xhr.responseURL ? new URL(xhr.responseURL) : null;
    if (finalUrl && finalUrl.origin === window.location.origin && finalUrl.pathname === loginPath()) {
      event.detail.shouldSwap = false;
      var next = window.location.pathname + window.location.search;
      window.location.assign(loginPath() + "?next=" + encodeURIComponent(next));
      return;
    }

    // htmx 2 does not swap 4xx/5xx. Error responses meant to be shown in place (the store error
    // panel, a conflict) carry this header and are swapped like a success.
    if (xhr.status >= 400 && xhr.getResponseHeader(SWAP_ERROR_HEADER)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 403) {
      toast("You are not allowed to do that (403). Your role may not permit it, or the page expired: reload it.");
    } else if (status === 404) {
      toast("That item no longer exists (404). Reload the page.");
    } else {
      toast("The server could not complete the request (" + status + "). Try again, or reload the page.");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    toast("Could not reach the dashboard server. Check your connection and try again.");
  });

  // The server shows times in the user's chosen zone or, by default, the browser's: it learns the
  // browser's from this cookie (dashboard/preferences/zones.py). Set on every page, the login page
  // included, so the first page after signing in already has it; it changes only if the zone does.
  function reportTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
    // The pattern above leaves only characters a cookie value may hold as they are.
    var cookie = "dashboard_tz=" + zone;
    if (document.cookie.split("; ").indexOf(cookie) !== -1) return;
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = cookie + "; path=/; max-age=31536000; SameSite=Lax" + secure;
  }

  reportTimeZone();

  // Copy buttons ({% copy_button %}, {% copy_json %}, a raw JSON view's button): the text is in
  // data-copy, or for data-copy-raw in the raw JSON block of the same tree. The result is said in
  // the button and announced through the polite live region #copy-status.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.append(area);
      area.select();
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (error) {
        done = false;
      }
      area.remove();
      if (done) resolve(); else reject(new Error("copy refused"));
    });
  }

  function announce(message) {
    var status = document.getElementById("copy-status");
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".copy-button") : null;
    if (!button) return;
    var text = button.getAttribute("data-copy");
    if (text === null && button.hasAttribute("data-copy-raw")) {
      var tree = button.closest(".json-tree");
      var raw = tree ? tree.querySelector(".json-raw pre") : null;
      text = raw ? raw.textContent : null;
    }
    if (text === null) return;
    var label = button.textContent;
    copyText(text).then(
      function () {
        button.textContent = "Copied";
        announce("Copied");
      },
      function () {
        button.textContent = "Not copied";
        announce("Could not copy: select the text and copy it by hand.");
      }
    ).then(function () {
      window.setTimeout(function () { button.textContent = label; }, 2000);
    });
  });

  // Filter bars (templates/core/filter_bar.html) are served open so they work without JS; on a
  // small screen they would fill the first screen, so they start folded there (their summary says
  // whether a filter is active). Only at page load: a bar swapped in after a change stays as it is.
  function foldFiltersOnSmallScreens() {
    if (!window.matchMedia("(max-width: 47.99rem)").matches) return;
    document.querySelectorAll("details[data-fold-on-small][open]").forEach(function (bar) {
      bar.open = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", foldFiltersOnSmallScreens);
  } else {
    foldFiltersOnSmallScreens();
  }

  // Back pressed twice quickly: with no history cache (historyCacheSize 0, so no page content is
  // kept in sessionStorage) htmx fetches each restored page from the server and swaps whichever
  // answer arrives, so a slow answer for the page in between could land last and leave the screen
  // showing another URL's content. Only the newest restore may swap: an older one is aborted.
  var pendingRestore = null;
  document.addEventListener("htmx:historyCacheMiss", function (event) {
    if (pendingRestore && pendingRestore.readyState !== XMLHttpRequest.DONE) pendingRestore.abort();
    pendingRestore = event.detail.xhr;
  });

  document.addEventListener("htmx:timeout", function () {
    toast("The request took too long and was stopped. Try again in a moment.");
  });
})();
