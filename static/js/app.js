// The only script of our own: a banner when the server fails or the network is gone,
// so an htmx request never fails silently (architecture.md §2.4), and polling that
// pauses while the page is hidden (the CSP forbids htmx's eval-based trigger filters).
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
  // Print buttons (the receipt): the CSP forbids onclick attributes.
  document.addEventListener("click", function (evt) {
    if (evt.target.closest && evt.target.closest("[data-print]")) { window.print(); }
  });
})();
