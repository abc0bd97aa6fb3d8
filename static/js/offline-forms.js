/* Forms marked data-offline-form keep working without a network (issue 15: on-site intake at an enterprise).
 *
 * Offline, a submission is kept in IndexedDB (its fields and files, keyed by its submission_key) instead of lost;
 * when the connection returns it is sent again with an Idempotency-Key header, so a retry never makes a second
 * case. The outbox panel (templates/takeout/_offline.html) shows what waits and what was refused, with the reason.
 * Rules without the browser are in offline-core.js. */
(function () {
  "use strict";
  const core = window.StationsOffline;
  const DB = "stations-offline", STORE = "outbox";
  const panel = () => document.getElementById("offline-outbox");

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function tx(mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const result = work(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      t.onerror = () => reject(t.error);
    });
  }

  const all = () => tx("readonly", (s) => s.getAll());
  const put = (entry) => tx("readwrite", (s) => s.put(entry));
  const remove = (key) => tx("readwrite", (s) => s.delete(key));

  async function keep(form) {
    const fields = [];
    for (const [name, value] of new FormData(form)) {
      if (value instanceof File && !value.name) continue;
      fields.push([name, value instanceof File ? { file: value, name: value.name, type: value.type } : value]);
    }
    const key = form.querySelector("[name=submission_key]")?.value;
    const label = form.dataset.offlineLabel || form.querySelector("h2")?.textContent || form.action;
    await put(core.entry(key, form.action, fields, label, Date.now()));
    form.reset();
    await render();
  }

  async function send(entry) {
    const body = new FormData();
    for (const [name, value] of entry.fields) {
      if (value && value.file) body.append(name, value.file, value.name);
      else body.append(name, value);
    }
    let status = 0, type = "", html = "";
    try {
      const response = await fetch(entry.action, {
        method: "POST", body, credentials: "same-origin", redirect: "manual",
        headers: { "Idempotency-Key": entry.key },
      });
      status = response.status; type = response.type;
      if (status >= 400) html = await response.text();
    } catch (offline) { status = 0; }
    const verdict = core.classify(status, type);
    if (verdict === "delivered") { await remove(entry.key); return "delivered"; }
    entry.attempts += 1;
    if (verdict === "refused") { entry.state = "refused"; entry.reason = core.reasonFrom(html, status); }
    await put(entry);
    return verdict;
  }

  let sending = false;
  async function flush() {
    if (sending || !navigator.onLine) return;
    sending = true;
    let delivered = 0, retry = false;
    try {
      for (const entry of await all()) {
        if (entry.state !== "waiting") continue;
        const verdict = await send(entry);
        if (verdict === "delivered") delivered += 1;
        if (verdict === "retry") retry = true;
      }
    } finally { sending = false; }
    await render(delivered);
    if (retry) setTimeout(flush, core.retryDelay(1));
  }

  async function render(delivered = 0) {
    const box = panel();
    if (!box) return;
    const entries = await all();
    const waiting = entries.filter((e) => e.state === "waiting");
    const refused = entries.filter((e) => e.state === "refused");
    box.querySelector("[data-offline-banner]").hidden = navigator.onLine;
    box.querySelector("[data-waiting-count]").textContent = String(waiting.length);
    const list = box.querySelector("[data-outbox-list]");
    list.replaceChildren(...entries.map((e) => {
      const item = document.createElement("li");
      item.dataset.state = e.state;
      item.textContent = e.state === "refused" ? `${e.label}: ${box.dataset.refusedWord} ${e.reason}` : `${e.label}: ${box.dataset.waitingWord}`;
      return item;
    }));
    const done = box.querySelector("[data-delivered]");
    if (delivered) { done.hidden = false; done.textContent = box.dataset.deliveredWord.replace("%(n)s", delivered); }
    box.hidden = !entries.length && navigator.onLine && !delivered;
    if (delivered && !waiting.length && box.dataset.reloadOnDelivery !== undefined) location.reload();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-offline-form") || navigator.onLine) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    keep(form);
  }, true);

  // An htmx form whose request fails on the way (the network dropped between the check and the send).
  document.addEventListener("htmx:sendError", (event) => {
    const form = event.detail.elt.closest && event.detail.elt.closest("form[data-offline-form]");
    if (form) keep(form);
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", () => render());
  document.addEventListener("DOMContentLoaded", () => { render(); flush(); });
  if ("serviceWorker" in navigator && panel()) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
})();
