// Page start-up: register the service worker and wire the small behaviours a page asks for.
import { wirePasskeys } from "./passkey.js";

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}

for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

wirePasskeys(document);
