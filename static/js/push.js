// Notifications: the page explains first; the browser asks for permission only after a button press.

const keyBytes = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
};

const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

async function subscription(registration, key) {
  const existing = await registration.pushManager.getSubscription();
  if (existing) {
    const current = existing.options?.applicationServerKey;
    const bytes = current ? new Uint8Array(current) : null;
    const same = !bytes || (bytes.length === key.length && bytes.every((byte, i) => byte === key[i]));
    if (same) return existing;
    await existing.unsubscribe(); // made for an older server key: it would never receive
  }
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

async function turnOn(box) {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw Object.assign(new Error(box.dataset.denied), { name: "Denied" });
  const registration = await navigator.serviceWorker.ready;
  const made = await subscription(registration, keyBytes(box.dataset.vapidKey));
  // Fetched only now, once there is something to send: the page itself stays within 4 requests.
  const { postJSON } = await import("./http.js");
  const result = await postJSON(box.dataset.subscribeUrl, { subscription: JSON.stringify(made) });
  window.location.assign(result.redirect);
}

async function showState(box) {
  const on = box.querySelector("[data-push-on]");
  const button = box.querySelector("[data-push-enable]");
  if (Notification.permission === "denied") {
    const error = box.querySelector("[data-push-error]");
    error.textContent = box.dataset.denied;
    error.hidden = false;
    return;
  }
  const listed = document.querySelector("[data-this-device]");
  if (!listed || Notification.permission !== "granted") return;
  const registration = await navigator.serviceWorker.ready;
  if (await registration.pushManager.getSubscription()) {
    on.hidden = false;
    button.hidden = true;
    box.querySelector("[data-push-explain]").hidden = true;
  }
}

// Turning off this device also ends the browser's subscription, not only the server's record.
function wireThisDeviceRemoval(root) {
  const form = root.querySelector("[data-this-device] form[action$='/remove']");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const registration = await navigator.serviceWorker.ready;
      await (await registration.pushManager.getSubscription())?.unsubscribe();
    } finally {
      form.submit(); // submit() fires no second submit event
    }
  });
}

export function wirePush(root) {
  const box = root.querySelector("[data-push]");
  if (!box) return;
  const button = box.querySelector("[data-push-enable]");
  const error = box.querySelector("[data-push-error]");
  if (!supported()) {
    button.disabled = true;
    box.querySelector("[data-push-unsupported]").hidden = false;
    return;
  }
  showState(box).catch(() => {});
  wireThisDeviceRemoval(root);
  button.addEventListener("click", async () => {
    button.disabled = true;
    error.hidden = true;
    try {
      await turnOn(box);
    } catch (failure) {
      if (failure.name === "Denied") error.textContent = box.dataset.denied;
      else if (failure instanceof TypeError || !navigator.onLine) error.textContent = box.dataset.offline;
      else error.textContent = failure.status ? failure.message : box.dataset.failed;
      error.hidden = false;
      button.disabled = false;
    }
  });
}
