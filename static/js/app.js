// The only script of our own: a banner when the server fails or the network is gone,
// so an htmx request never fails silently (architecture.md §2.4), polling that
// pauses while the page is hidden (the CSP forbids htmx's eval-based trigger filters),
// and focus moved to what an in-place swap changed (an error summary first).
(function () {
  "use strict";
  function banner(show) {
    var el = document.getElementById("net-error");
    if (el) { el.hidden = !show; }
  }
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (status >= 500) { banner(true); }
  });
  document.addEventListener("htmx:sendError", function () { banner(true); });
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.successful) { banner(false); }
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-poll-visible") && document.visibilityState !== "visible") {
      evt.preventDefault();
    }
  });
  // A search's answer computed while a write (a row action) was on its way would redraw the rows as they were before
  // it: such an answer is not swapped in, and the search runs again once the writes are answered. (hx-sync could
  // abort the search instead, but htmx logs every abort as an error.)
  var writes = { started: 0, pending: 0, rerun: null };
  function searchForm(elt) { return elt && elt.closest ? elt.closest("form[role=search]") : null; }
  function rerunSearch() {
    var form = writes.rerun;
    writes.rerun = null;
    if (form && form.isConnected) { form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true })); }
  }
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var xhr = evt.detail.xhr;
    var verb = (evt.detail.requestConfig || {}).verb;
    if (evt.defaultPrevented || !xhr) { return; }
    if (verb && verb !== "get") {
      writes.started += 1;
      writes.pending += 1;
      xhr.stationsWrite = true;
    } else if (searchForm(evt.detail.elt)) {
      xhr.stationsWritesAtStart = writes.pending > 0 ? -1 : writes.started;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (!xhr || xhr.stationsWritesAtStart === undefined || xhr.stationsWritesAtStart === writes.started) { return; }
    evt.detail.shouldSwap = false;
    writes.rerun = searchForm(evt.detail.elt);
    if (writes.pending === 0) { rerunSearch(); }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (!evt.detail.xhr || !evt.detail.xhr.stationsWrite) { return; }
    writes.pending = Math.max(0, writes.pending - 1);
    if (writes.pending === 0) { rerunSearch(); }
  });
  // The next action (a POST, or a search) clears the last action's message: a conflict's banner must not outlive
  // it. Lazy loads and polls (GETs elsewhere) leave it; a boosted page brings its own #flash.
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var config = evt.detail.requestConfig || {};
    var elt = evt.detail.elt;
    var flash = document.getElementById("flash");
    if (evt.defaultPrevented || !flash || evt.detail.boosted) { return; }
    var isSearch = elt && elt.closest && elt.closest("[role=search]");
    if (config.verb === "get" && !isSearch) { return; }
    flash.replaceChildren();
  });
  // After an in-place swap, focus goes where the eye must go: a form's error summary (GOV.UK pattern: scrolled into
  // view, focused, read out), else the element that changed when the tapped control went away with the swap.
  function focusSummary(root) {
    var summary = root.matches(".error-summary") ? root : root.querySelector(".error-summary");
    if (!summary) { return false; }
    // After htmx's own scrolling (a boosted form scrolls to the top once settled).
    window.setTimeout(function () {
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
    }, 0);
    return true;
  }
  // A form posted without htmx (a file upload) comes back as a whole page: its summary takes the focus too.
  document.addEventListener("DOMContentLoaded", function () { focusSummary(document.body); });
  document.addEventListener("htmx:afterSettle", function (evt) {
    var swapped = evt.target;
    if (!swapped || !swapped.querySelector || !swapped.isConnected) { return; }
    if (focusSummary(swapped)) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { return; }
    var changed = swapped.matches("[data-swap-focus]") ? swapped : swapped.querySelector("[data-swap-focus]");
    if (changed) { changed.focus(); }
  });
  // A link in an error summary focuses its field, not only scrolls to it (GOV.UK pattern).
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest(".error-summary a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    evt.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  });
  // 全部已核验 at intake: one tap marks every material of the checklist checked (hidden without JavaScript).
  function showVerifyAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-verify-all]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showVerifyAll(document); });
  document.addEventListener("htmx:load", function (evt) { showVerifyAll(evt.target); });
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-verify-all]");
    if (!button) { return; }
    button.form.querySelectorAll("input[type=radio][value=VERIFIED]").forEach(function (radio) { radio.checked = true; });
  });
  // Print buttons (the receipt): the CSP forbids onclick attributes.
  document.addEventListener("click", function (evt) {
    if (evt.target.closest && evt.target.closest("[data-print]")) { window.print(); }
  });
})();
