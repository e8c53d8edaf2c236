// Backpack service worker: a versioned shell cache, the learner's pages kept for offline
// reading, and an offline page for the rest.
// VERSION is filled in when served: a hash of the static files, so a deploy renews the cache.
const VERSION = "dev";
const PREFIX = "backpack-";
const SHELL_CACHE = `${PREFIX}static-${VERSION}`;
// The learner's own pages and pictures, kept across deploys; only responses the server marks
// (see backpack/pwa/offline.py), forgotten at every sign-out and sign-in.
const PAGES_CACHE = `${PREFIX}pages`;
const KEEP_HEADER = "X-Backpack-Offline";
const MAX_KEPT = 300;
// Share → Backpack: the phone's share sheet posts here, and only here (manifest.json's share_target).
// What it gave waits in this cache for the import page (static/js/shared_files.js), a day at most.
const SHARE_ACTION = "/my/imported/shared";
const IMPORT_PAGE = "/my/imported/new";
const SHARED_CACHE = `${PREFIX}shared`;
const SHARED_KEY = "/shared-with-backpack/";
const SHARE_KEPT_MS = 24 * 60 * 60 * 1000;
// The server's cap on a badge file (backpack/learner/badge_reading.py MAX_FILE_BYTES; a test
// checks they agree): a larger file is not kept, only its name, so the page can say why.
const SHARED_FILE_MAX = 2 * 1024 * 1024;
// Posting to these ends or starts a session: what was kept belongs to someone else now.
// Filled in when served, from the routes the app marks (backpack/pwa/offline.py changes_session).
const SESSION_CHANGES = [];
const SESSION_CHANGE_PATTERNS = SESSION_CHANGES.map((pattern) => new RegExp(pattern));
// Static files live under a versioned path (a hash of them all): the shell of this version.
const STATIC = `/static/${VERSION}`;
const OFFLINE = "/offline";
const SHELL = [
  OFFLINE,
  `${STATIC}/css/core.css`,
  `${STATIC}/css/signed-in.css`,
  `${STATIC}/js/app.js`,
  `${STATIC}/js/http.js`,
  `${STATIC}/js/passkey.js`,
  `${STATIC}/js/read_aloud.js`,
  `${STATIC}/js/badge_form.js`,
  `${STATIC}/js/badge_preview.js`,
  `${STATIC}/js/form_steps.js`,
  `${STATIC}/js/confirm_step.js`,
  `${STATIC}/js/push.js`,
  `${STATIC}/js/evidence_queue.js`,
  `${STATIC}/js/photo_resize.js`,
  `${STATIC}/js/capture.js`,
  `${STATIC}/js/recorder.js`,
  `${STATIC}/js/voice_message.js`,
  `${STATIC}/js/dictation.js`,
  `${STATIC}/js/award_progress.js`,
  `${STATIC}/js/shared_files.js`,
  `${STATIC}/icons/icons.svg`,
  `${STATIC}/icons/icon-192.png`,
  "/manifest.json",
];

// The offline evidence queue, the same file the evidence page imports (it has no import/export,
// so this classic worker can load it): see static/js/evidence_queue.js.
importScripts(`${STATIC}/js/evidence_queue.js`);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(PREFIX) && ![SHELL_CACHE, PAGES_CACHE, SHARED_CACHE].includes(name))
          .map((name) => caches.delete(name)),
      );
      await forgetOldShares();
      await self.clients.claim();
    })(),
  );
});

const forgetPages = () => caches.delete(PAGES_CACHE);

// A share never opened (the learner went elsewhere) is not kept for ever.
async function forgetOldShares() {
  const cache = await caches.open(SHARED_CACHE);
  for (const key of await cache.keys()) {
    const kept = await cache.match(key);
    if (!(Date.now() - Number(kept?.headers.get("X-Shared-At")) < SHARE_KEPT_MS)) await cache.delete(key);
  }
}

// The share sheet's POST has no CSRF token, so the server would refuse it: keep what was shared
// on the phone and open the import page, whose own form (with its token) adds the badge once
// the learner taps "Add the badge". A POST the phone cannot read is kept as an empty share.
async function receiveShare(request) {
  const form = await request.formData().catch(() => new FormData());
  const file = form.getAll("badge").find((item) => item instanceof File && (item.name || item.size));
  const id = crypto.randomUUID();
  const at = String(Date.now());
  const field = (name) => (typeof form.get(name) === "string" ? form.get(name) : "");
  const details = { title: field("title"), text: field("text"), url: field("url"), file: null };
  const cache = await caches.open(SHARED_CACHE);
  if (file) {
    details.file = { name: file.name, type: file.type, size: file.size };
    if (file.size <= SHARED_FILE_MAX) {
      const headers = { "Content-Type": file.type || "application/octet-stream", "X-Shared-At": at };
      await cache.put(`${SHARED_KEY}${id}/file`, new Response(file, { headers }));
    }
  }
  const headers = { "Content-Type": "application/json", "X-Shared-At": at };
  await cache.put(`${SHARED_KEY}${id}`, new Response(JSON.stringify(details), { headers }));
  return Response.redirect(`${IMPORT_PAGE}?shared=${id}`, 303);
}

// Keep a copy of a response the server marked as the learner's to read offline. The copy is
// taken at once, before the page starts reading the response.
function keep(url, response) {
  if (!response.ok || response.redirected || response.headers.get(KEEP_HEADER) !== "keep") {
    return Promise.resolve(false);
  }
  const copy = response.clone();
  return caches.open(PAGES_CACHE).then((cache) => cache.put(url.pathname, copy)).then(() => true);
}

const keptCopy = (url) => caches.match(url.pathname, { cacheName: PAGES_CACHE });

// A kept page says that it is the copy kept on the phone: its notice is shown (see base.html).
async function shownAsKept(response) {
  const html = (await response.text()).replace("data-offline-notice hidden", "data-offline-notice");
  return new Response(html, { status: response.status, headers: response.headers });
}

// The offline page is kept in the learner's language: every page names its language
// (Content-Language), and when that changes the worker keeps /offline/<language> as the
// offline page. One copy per language is kept, so changing back needs no connection.
// Kept pages in the old language are forgotten; the backpack keeps them again in the new one.
async function followLanguage(response) {
  const language = response.headers.get("Content-Language");
  if (!response.ok || !language) return;
  const cache = await caches.open(SHELL_CACHE);
  if ((await cache.match(OFFLINE))?.headers.get("Content-Language") === language) return;
  const path = `${OFFLINE}/${encodeURIComponent(language)}`;
  const page = (await cache.match(path)) || (await fetch(path).catch(() => null));
  if (!page?.ok || page.headers.get("Content-Language") !== language) return;
  await cache.put(path, page.clone());
  await cache.put(OFFLINE, page);
  await forgetOtherLanguages(language);
}

async function forgetOtherLanguages(language) {
  const kept = await caches.open(PAGES_CACHE);
  for (const request of await kept.keys()) {
    const spoken = (await kept.match(request))?.headers.get("Content-Language");
    if (spoken && spoken !== language) await kept.delete(request);
  }
}

// Strategies, one small function each; the fetch handler below picks one per request.

// Offline fallback for a page: its kept copy, else the offline page in the learner's language.
async function offlineFallback(url) {
  const kept = await keptCopy(url);
  if (kept) return shownAsKept(kept);
  return (await caches.match(OFFLINE)) || Response.error();
}

// Network first for pages: the page itself (kept when marked); offline, the fallback.
async function networkFirstPage(event) {
  const url = new URL(event.request.url);
  try {
    const response = await fetch(event.request);
    event.waitUntil(followLanguage(response));
    // Sent to sign in: the session is over, so nothing kept may be shown any more.
    if (response.redirected && new URL(response.url).pathname === "/signin") event.waitUntil(forgetPages());
    else event.waitUntil(keep(url, response));
    return response;
  } catch {
    return offlineFallback(url);
  }
}

// Network first for pictures on a kept page (badge images, thumbnails); offline, the kept copy.
async function networkFirstPicture(event) {
  const url = new URL(event.request.url);
  try {
    const response = await fetch(event.request);
    event.waitUntil(keep(url, response));
    return response;
  } catch {
    return (await keptCopy(url)) || Response.error();
  }
}

// Cache first for the shell (hashed static files, the manifest): the versioned cache, the
// network for anything new.
async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: false });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL_CACHE)).put(request, response.clone());
  return response;
}

// The backpack asks for its badge pages and pictures to be kept, so every badge opens offline,
// not only those opened before. Same-origin paths only, and only what the server marks; what is
// kept already, in the asking page's language, is not fetched again (opening a page online
// refreshes its copy).
async function keepAll(paths, language) {
  const cache = await caches.open(PAGES_CACHE);
  let kept = 0;
  for (const path of paths.slice(0, MAX_KEPT)) {
    const url = new URL(path, self.location.origin);
    if (url.origin !== self.location.origin) continue;
    const spoken = (await cache.match(url.pathname))?.headers.get("Content-Language");
    if (spoken !== undefined && (spoken === null || spoken === language)) {
      kept += 1;
      continue;
    }
    try {
      if (await keep(url, await fetch(url, { credentials: "same-origin" }))) kept += 1;
    } catch {
      break; // the connection went: keep what we have
    }
  }
  return kept;
}

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  // A page that loaded while this worker was still activating missed its claim: claim it now.
  if (event.data === "claim") event.waitUntil(self.clients.claim());
  if (event.data?.type === "keep-offline" && Array.isArray(event.data.paths)) {
    event.waitUntil(
      keepAll(event.data.paths, event.data.language).then((kept) => event.source?.postMessage({ type: "kept-offline", kept })),
    );
  }
});

// Which strategy answers which request; other origins and other methods go to the network untouched.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (request.method === "POST" && request.mode === "navigate" && url.pathname === SHARE_ACTION) {
      event.respondWith(receiveShare(request));
      return;
    }
    if (request.method === "POST" && SESSION_CHANGE_PATTERNS.some((pattern) => pattern.test(url.pathname))) {
      event.waitUntil(forgetPages());
    }
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(event));
    return;
  }
  if (request.destination === "image" && !url.pathname.startsWith("/static/")) {
    event.respondWith(networkFirstPicture(event));
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.json") {
    event.respondWith(cacheFirst(request));
  }
});

// Push: the server sends the text already in the person's language; show it, keep the app badge count.
const APP_ICON = "/static/icons/icon-192.png";

// Only paths of this app may be opened from a notification.
const appURL = (path) => {
  const url = new URL(typeof path === "string" ? path : "/", self.location.origin);
  return url.origin === self.location.origin ? url.href : new URL("/", self.location.origin).href;
};

async function updateAppBadge() {
  if (!("setAppBadge" in navigator)) return;
  const shown = await self.registration.getNotifications();
  await (shown.length ? navigator.setAppBadge(shown.length) : navigator.clearAppBadge()).catch(() => {});
}

async function showPush(event) {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : "" };
  }
  await self.registration.showNotification(message.title || "Backpack", {
    body: message.body || "",
    icon: message.icon || APP_ICON,
    badge: APP_ICON,
    tag: message.tag || undefined,
    lang: message.lang || "",
    dir: message.dir || "auto",
    data: { url: appURL(message.url) },
  });
  await updateAppBadge();
}

// Focus a window already showing the page, else bring an open app window there, else open one.
async function openFromNotification(path) {
  const url = appURL(path);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const showing = windows.find((client) => client.url === url);
  if (showing) return showing.focus();
  for (const client of windows) {
    try {
      const moved = await client.navigate(url);
      if (moved) return moved.focus().catch(() => moved);
    } catch {
      // not ours to steer (an uncontrolled window): try the next, or open a new one
    }
  }
  return self.clients.openWindow(url);
}

// Notifications are shown, and counted for the app badge, one at a time: Chromium drops a
// notification being shown while another push event reads the shown ones, so a phone handed
// several pushes at once (back online, a big award) showed fewer than it got.
let notificationsInTurn = Promise.resolve();
function inTurn(task) {
  const done = notificationsInTurn.then(task);
  notificationsInTurn = done.catch(() => {});
  return done;
}

self.addEventListener("push", (event) => {
  event.waitUntil(inTurn(() => showPush(event)));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openFromNotification(event.notification.data?.url).finally(() => inTurn(updateAppBadge)));
});

// Background Sync: the connection is back, so send the evidence captured offline. A rejected
// promise asks the browser to try again later; each item's idempotency key keeps it stored once.
async function uploadQueuedEvidence() {
  const queue = self.backpackEvidenceQueue;
  const windows = await self.clients.matchAll({ type: "window" });
  const outcomes = await queue.flush({
    onState: (item, state) => {
      for (const client of windows) client.postMessage({ type: "evidence-queue", key: item.key, state });
    },
  });
  if (outcomes.includes("waiting")) throw new Error("evidence still waiting for a connection");
}

self.addEventListener("sync", (event) => {
  if (event.tag === self.backpackEvidenceQueue.SYNC_TAG) event.waitUntil(uploadQueuedEvidence());
});
