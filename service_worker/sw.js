// Backpack service worker: a versioned shell cache and an offline page.
// VERSION is filled in when served: a hash of the static files, so a deploy renews the cache.
const VERSION = "dev";
const PREFIX = "backpack-";
const SHELL_CACHE = `${PREFIX}static-${VERSION}`;
const SHELL = [
  "/offline",
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/http.js",
  "/static/js/passkey.js",
  "/static/js/read_aloud.js",
  "/static/js/badge_form.js",
  "/static/icons/icons.svg",
  "/static/icons/icon-192.png",
  "/manifest.json",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith(PREFIX) && name !== SHELL_CACHE).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(async () => (await caches.match("/offline")) || Response.error()));
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.json") {
    event.respondWith(
      (async () => {
        const cached = await caches.match(request, { ignoreSearch: false });
        if (cached) return cached;
        const response = await fetch(request);
        if (response.ok) (await caches.open(SHELL_CACHE)).put(request, response.clone());
        return response;
      })(),
    );
  }
});
