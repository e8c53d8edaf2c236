// Page start-up: register the service worker, keep pages for offline, and load only the
// modules this page asks for.

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  // The first page after install can load while the worker activates, and then miss its claim:
  // ask for it, so the offline queue works from the first visit, not only after a reload.
  navigator.serviceWorker.ready.then((registration) => {
    if (!navigator.serviceWorker.controller) registration.active?.postMessage("claim");
  });
}

for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

// A second tap on a slow connection must not send a form twice.
for (const form of document.querySelectorAll('form[method="post"]')) {
  form.addEventListener("submit", () => {
    for (const button of form.querySelectorAll("button[type=submit]")) {
      setTimeout(() => (button.disabled = true), 0);
    }
  });
}

// Reading the backpack with no connection. The service worker shows the notice on a page it
// answered with the copy kept on the phone; here we ask it to keep every badge listed on this
// page, so each one opens offline later, not only those opened before.
function wireOffline(root) {
  const notice = root.querySelector("[data-offline-notice]");
  if (notice && !notice.hidden) {
    // Messages of the moment the copy was kept ("Saved.") mean nothing now.
    for (const flash of root.querySelectorAll("[data-flash]")) flash.remove();
    return;
  }
  const lists = root.querySelectorAll("[data-keep-offline]");
  if (!lists.length || !("serviceWorker" in navigator)) return;
  const paths = new Set();
  for (const list of lists) {
    for (const link of list.querySelectorAll("a[href]")) paths.add(new URL(link.href).pathname);
    for (const image of list.querySelectorAll("img[src]")) paths.add(new URL(image.src).pathname);
  }
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "kept-offline") root.documentElement.dataset.keptOffline = String(event.data.kept);
  });
  navigator.serviceWorker.ready.then((registration) =>
    registration.active?.postMessage({ type: "keep-offline", paths: [...paths], language: root.documentElement.lang }),
  );
}

wireOffline(document);

// A feature's module is fetched only on pages that hold its markup: a cheap phone on a slow
// network loads a few kilobytes, not every feature of the app. Paths are relative, so they
// stay inside this deploy's versioned static folder.
const FEATURES = [
  ["[data-passkey]", () => import("./passkey.js"), "wirePasskeys"],
  ["[data-badge-form]", () => import("./badge_form.js"), "wireBadgeForm"],
  ["[data-badge-preview]", () => import("./badge_preview.js"), "wireBadgePreview"],
  ["form[data-steps]", () => import("./form_steps.js"), "wireFormSteps"],
  ["[data-confirm]", () => import("./confirm_step.js"), "wireConfirmSteps"],
  ["[data-push]", () => import("./push.js"), "wirePush"],
  ["form[data-capture]", () => import("./capture.js"), "wireCapture"],
  ["form[data-voice-message]", () => import("./voice_message.js"), "wireVoiceMessage"],
  ["[data-award-progress]", () => import("./award_progress.js"), "wireAwardProgress"],
  ["[data-shared-files]", () => import("./shared_files.js"), "wireSharedFiles"],
];

// Buttons that speak or listen: shown at once where the phone can, their module fetched at the
// first tap, which it then answers (a learner who never taps one never downloads it; the evidence
// page stays within 5 requests).
const ON_TAP = [
  ["[data-read-aloud-button]", () => "speechSynthesis" in window, () => import("./read_aloud.js"), "wireReadAloud"],
  ["[data-dictate]", () => Boolean(window.SpeechRecognition || window.webkitSpeechRecognition), () => import("./dictation.js"), "wireDictation"],
];

for (const [selector, can, load, wire] of ON_TAP) {
  const buttons = [...document.querySelectorAll(selector)];
  if (!buttons.length || !can()) continue;
  const first = async (event) => {
    const tapped = event.currentTarget;
    for (const button of buttons) button.removeEventListener("click", first);
    let module;
    try {
      module = await load();
    } catch {
      // Not fetched (the connection dropped): the next tap tries again.
      for (const button of buttons) button.addEventListener("click", first);
      return;
    }
    module[wire](document);
    tapped.click();
  };
  for (const button of buttons) {
    button.hidden = false;
    button.addEventListener("click", first);
  }
}

const wiring = FEATURES.filter(([selector]) => document.querySelector(selector)).map(([, load, wire]) =>
  load().then((module) => module[wire](document)),
);
// Said on <html> once every button of the page works (tests wait for it; so could a page).
Promise.allSettled(wiring).then(() => {
  document.documentElement.dataset.wired = "";
});
