/* The service worker of the pages a team needs at an enterprise without a network (issue 15), served at /sw.js.
 * Static files: cache first. Takeout pages: network first, the last good copy when offline. Nothing else is
 * cached: no POST (offline-forms.js keeps those in IndexedDB), no other pages. Signing in again (the login page)
 * drops the cached pages, so the next user of the tablet never sees the last one's.
 * The page shell's own files are stored at install: a file first asked for offline (the icon, often) would
 * otherwise fail to load. A file that cannot be fetched then is skipped, not a failed install. */
const STATIC = "stations-static-v1";
const PAGES = "stations-pages-v1";
const SHELL = [
  "/static/img/favicon.svg",
  "/static/css/app.css",
  "/static/vendor/htmx.min.js",
  "/static/js/app.js",
  "/static/js/offline-core.js",
  "/static/js/offline-forms.js",
];

self.addEventListener("install", (event) => {
  self.skipWaiting();
  event.waitUntil(
    caches.open(STATIC).then((cache) => Promise.all(SHELL.map((url) => cache.add(url).catch(() => null)))),
  );
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

async function cacheFirst(request) {
  const hit = await caches.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) (await caches.open(STATIC)).put(request, response.clone());
  return response;
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) (await caches.open(PAGES)).put(request, response.clone());
    return response;
  } catch (offline) {
    const hit = await caches.match(request);
    if (hit) return hit;
    throw offline;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/login") {
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (url.pathname.startsWith("/static/")) event.respondWith(cacheFirst(request));
  else if (request.mode === "navigate" && url.pathname.startsWith("/takeout/")) event.respondWith(networkFirst(request));
});
