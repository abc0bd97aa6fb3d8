/* The offline outbox's rules, without the browser: what a stored submission is, and what an answer means.
 * Loaded as a plain script (window.StationsOffline) and by node --test (tests/js/offline-core.test.js). */
(function (root, factory) {
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.StationsOffline = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  const RETRY_DELAYS_MS = [5000, 15000, 60000, 300000]; // then every 5 minutes

  /** What to do with an answer to a replayed submission: "delivered", "refused" (kept, with its reason) or "retry". */
  function classify(status, type) {
    if (type === "opaqueredirect") return "delivered"; // a 303 to the result page: it arrived
    if (status >= 200 && status < 400) return "delivered";
    if (status === 409 || (status >= 400 && status < 500 && status !== 408 && status !== 429)) return "refused";
    return "retry"; // 0 (no network), 408, 429, 5xx: the server did not take it; send again later
  }

  /** The refusal's words from a re-rendered page or panel: the error summary's items, else the alert, else the
   * field errors, else the status. */
  function reasonFrom(html, status) {
    const summary = /class="error-summary"[\s\S]*?<\/ul>/.exec(html || "");
    if (summary) {
      const items = [...summary[0].matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1].replace(/<[^>]*>/g, "").trim());
      if (items.length) return items.join(" ");
    }
    const alert = /role="alert"[^>]*>\s*([^<\s][^<]*)</.exec(html || "");
    if (alert) return alert[1].trim();
    const errors = [...(html || "").matchAll(/class="error"[^>]*>([^<]+)</g)].map((m) => m[1].trim());
    return errors.length ? errors.join(" ") : "HTTP " + status;
  }

  function retryDelay(attempts) {
    return RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length - 1)];
  }

  /** A stored submission: its key (the form's submission_key, sent as Idempotency-Key), where it goes, its fields. */
  function entry(key, action, fields, label, now) {
    if (!key) throw new Error("a form kept offline needs its submission_key");
    return { key, action, fields, label, savedAt: now, state: "waiting", attempts: 0, reason: "" };
  }

  return { classify, reasonFrom, retryDelay, entry, RETRY_DELAYS_MS };
});
