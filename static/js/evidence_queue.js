// The offline evidence queue, shared by the page and the service worker.
// Written without import/export so the classic service worker can importScripts() it and a
// page module can `import "./evidence_queue.js"`; both then use self.backpackEvidenceQueue.
// Every item is kept in IndexedDB first and removed only after the server confirmed it
// (201 new, 200 already stored): its idempotency key makes every retry safe.
(function (scope) {
  "use strict";
  const DB_NAME = "backpack-evidence";
  const STORE = "queue";
  const UPLOAD_URL = "/evidence";
  const SYNC_TAG = "backpack-evidence-upload";

  let opened = null;
  function database() {
    if (!opened) {
      opened = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => {
          opened = null;
          reject(request.error);
        };
      });
    }
    return opened;
  }

  async function run(mode, action) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = action(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  const put = (item) => run("readwrite", (store) => store.put(item));
  const get = (key) => run("readonly", (store) => store.get(key));
  const remove = (key) => run("readwrite", (store) => store.delete(key));
  async function all() {
    const items = (await run("readonly", (store) => store.getAll())) || [];
    return items.sort((a, b) => (a.queuedAt < b.queuedAt ? -1 : 1));
  }

  // A new item: the file and its text, a fresh idempotency key and the CSRF token to send it with.
  function newItem({ blob, filename, title = "", reflection = "", csrf = "", capturedAt = null }) {
    const now = new Date().toISOString();
    return {
      key: scope.crypto.randomUUID(),
      blob,
      filename: filename || "evidence",
      title,
      reflection,
      csrf,
      capturedAt: capturedAt || now,
      queuedAt: now,
      state: "waiting",
      error: "",
    };
  }

  function body(item) {
    const form = new FormData();
    form.append("file", item.blob, item.filename);
    form.append("title", item.title || "");
    form.append("reflection", item.reflection || "");
    form.append("idempotency_key", item.key);
    if (item.capturedAt) form.append("captured_at", item.capturedAt);
    return form;
  }

  function parse(text) {
    try {
      return JSON.parse(text);
    } catch {
      return {};
    }
  }

  // Send one item; resolve {status, data}. Progress (0..1) is reported where XHR exists (pages).
  function send(item, onProgress) {
    const headers = { Accept: "application/json", "X-CSRFToken": item.csrf || "" };
    if (typeof scope.XMLHttpRequest === "undefined") {
      return fetch(UPLOAD_URL, { method: "POST", credentials: "same-origin", headers, body: body(item) }).then(
        async (response) => ({ status: response.status, data: parse(await response.text()) }),
      );
    }
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("POST", UPLOAD_URL);
      request.withCredentials = true;
      for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
      request.upload.onprogress = (event) => {
        if (onProgress && event.lengthComputable) onProgress(event.loaded / event.total);
      };
      request.onload = () => resolve({ status: request.status, data: parse(request.responseText) });
      request.onerror = () => reject(new TypeError("network error"));
      request.onabort = () => reject(new TypeError("aborted"));
      request.send(body(item));
    });
  }

  // Upload one queued item. Returns "uploaded", "waiting" (no connection: try later) or "failed".
  // A 4xx other than 408/429 will fail again the same way, so it waits for the learner's retry.
  async function upload(item, { onProgress, onState } = {}) {
    const report = (state, extra) => onState && onState(state, extra || {});
    report("uploading", { progress: 0 });
    let answer;
    try {
      answer = await send(item, (fraction) => report("uploading", { progress: fraction }));
    } catch {
      await put({ ...item, state: "waiting" }).catch(() => {});
      report("waiting");
      return "waiting";
    }
    if (answer.status === 200 || answer.status === 201) {
      await remove(item.key);
      report("uploaded", answer.data);
      return "uploaded";
    }
    const retryLater = answer.status >= 500 || answer.status === 408 || answer.status === 429;
    const state = retryLater ? "waiting" : "failed";
    const error = (answer.data && answer.data.error) || "";
    await put({ ...item, state, error }).catch(() => {});
    report(state, { error, status: answer.status });
    return state;
  }

  // Upload every item waiting (and, when retrying, the failed ones too); one at a time on a thin link.
  let flushing = null;
  function flush(options = {}) {
    if (flushing) return flushing.then(() => (options.again ? flush({ ...options, again: false }) : undefined));
    flushing = (async () => {
      const outcomes = [];
      for (const item of await all()) {
        if (item.state === "failed" && !options.includeFailed) continue;
        if (options.csrf) item.csrf = options.csrf;
        const outcome = await upload(item, {
          onState: options.onState ? (state, extra) => options.onState(item, state, extra) : undefined,
        });
        outcomes.push(outcome);
        if (outcome === "waiting") break; // the connection is gone: the rest waits too
      }
      return outcomes;
    })().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  // Ask the service worker to upload when the connection is back (Background Sync), where it can.
  async function requestSync() {
    try {
      const registration = await scope.navigator.serviceWorker.ready;
      if (!registration.sync) return false;
      await registration.sync.register(SYNC_TAG);
      return true;
    } catch {
      return false;
    }
  }

  scope.backpackEvidenceQueue = { SYNC_TAG, newItem, put, get, remove, all, upload, flush, requestSync };
})(self);
