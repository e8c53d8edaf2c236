// Passkey ceremonies: the server makes the options and checks the answers.
import { postJSON } from "./http.js";

const fromB64url = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
};
const toB64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

// Older phones lack parseCreationOptionsFromJSON/toJSON: convert by hand there.
function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromB64url(json.challenge),
    user: { ...json.user, id: fromB64url(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromB64url(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })),
  };
}

function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toB64url(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = toB64url(r.authenticatorData);
    response.signature = toB64url(r.signature);
    if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment,
  };
}

// What the browser tells of its device, so the server can name a new passkey "Android · Chrome".
async function deviceHints() {
  const hints = { touch: navigator.maxTouchPoints || 0 };
  const data = navigator.userAgentData;
  if (!data) return hints;
  hints.platform = data.platform;
  hints.mobile = data.mobile;
  hints.brands = (data.brands || []).map((entry) => entry.brand);
  try {
    const { model } = await data.getHighEntropyValues(["model"]);
    if (model) hints.model = model;
  } catch {
    // The model is a nicety; the name works without it.
  }
  return hints;
}

async function run(box) {
  const invite = box.dataset.invite || undefined;
  const options = await postJSON(box.dataset.optionsUrl, invite ? { invite } : {});
  const credential =
    box.dataset.passkey === "signin"
      ? await navigator.credentials.get({ publicKey: requestOptions(options) })
      : await navigator.credentials.create({ publicKey: creationOptions(options) });
  const answer = { credential: JSON.stringify(credentialJSON(credential)), invite };
  if (box.dataset.passkey !== "signin") answer.hints = JSON.stringify(await deviceHints());
  const result = await postJSON(box.dataset.verifyUrl, answer);
  window.location.assign(box.dataset.passkey === "signin" ? backToNext(result.redirect) : result.redirect);
}

// Sent to sign in from a page of this site (?next=/path), go back there afterwards; never elsewhere.
function backToNext(fallback) {
  const next = new URLSearchParams(window.location.search).get("next");
  if (!next) return fallback;
  const target = new URL(next, window.location.origin);
  return target.origin === window.location.origin ? target.href : fallback;
}

export function wirePasskeys(root) {
  for (const box of root.querySelectorAll("[data-passkey]")) {
    const button = box.querySelector("[data-passkey-start]");
    const errorBox = box.querySelector("[data-passkey-error]");
    if (!window.PublicKeyCredential) {
      button.disabled = true;
      box.querySelector("[data-passkey-unsupported]").hidden = false;
      continue;
    }
    button.addEventListener("click", async () => {
      button.disabled = true;
      errorBox.hidden = true;
      try {
        await run(box);
      } catch (error) {
        // A cancelled prompt is the person's choice, not a failure to shout about.
        if (error.name === "NotAllowedError" || error.name === "AbortError") errorBox.textContent = box.dataset.cancelled;
        else if (error.name === "InvalidStateError") errorBox.textContent = box.dataset.exists;
        else if (error instanceof TypeError || !navigator.onLine) errorBox.textContent = box.dataset.offline;
        else errorBox.textContent = error.message;
        errorBox.hidden = false;
        button.disabled = false;
      }
    });
  }
}
