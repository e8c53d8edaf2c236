// Page start-up: register the service worker and wire the small behaviours a page asks for.
import { wirePasskeys } from "./passkey.js";
import { wireReadAloud } from "./read_aloud.js";
import { wireBadgeForm } from "./badge_form.js";
import { wirePush } from "./push.js";
import { wireCapture } from "./capture.js";
import { wireVoiceMessage } from "./voice_message.js";
import { wireDictation } from "./dictation.js";
import { wireOffline } from "./offline.js";

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
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

wirePasskeys(document);
wireReadAloud(document);
wireBadgeForm(document);
wirePush(document);
wireCapture(document);
wireVoiceMessage(document);
wireDictation(document);
wireOffline(document);
