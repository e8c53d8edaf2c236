// Share → Backpack with a file: the service worker kept what the phone's share sheet posted to the
// share's own address, /my/imported/shared (see service_worker/sw.js, receiveShare), and opened
// this page with ?shared=<id>. Here the file goes into the import form, so the learner sees it and
// adds it with the form's own button (and CSRF token); nothing is imported before that tap.
// A shared link or text fills its field instead.
const SHARED_CACHE = "backpack-shared";
const SHARED_KEY = "/shared-with-backpack/";
const LINK = /https:\/\/\S+/;
const LONGEST_TEXT_WITH_LINK = 2048; // as the server reads a GET share (import_views._shared)

// What a shared file is, from its name first (phones often send no type, or text/plain).
function kindOf(file) {
  const name = file.name.toLowerCase();
  const type = (file.type || "").split(";")[0].trim().toLowerCase();
  if (name.endsWith(".png") || type === "image/png") return "png";
  if (name.endsWith(".svg") || type === "image/svg+xml") return "svg";
  if (name.endsWith(".json") || ["application/json", "application/ld+json", "application/vc+ld+json"].includes(type)) {
    return "json";
  }
  if (name.endsWith(".jwt") || type === "application/vc+jwt" || type === "application/jwt") return "jwt";
  if (name.endsWith(".txt") || type === "text/plain") return "text";
  return null;
}

// Read the share once: it is deleted as soon as it is read.
async function takeShare(id) {
  if (!("caches" in window) || !(await caches.has(SHARED_CACHE))) return null;
  const cache = await caches.open(SHARED_CACHE);
  const key = `${SHARED_KEY}${encodeURIComponent(id)}`;
  const kept = await cache.match(key);
  if (!kept) return null;
  const details = await kept.json();
  const stored = details.file ? await cache.match(`${key}/file`) : null;
  const blob = stored ? await stored.blob() : null;
  await Promise.all([cache.delete(key), cache.delete(`${key}/file`)]);
  return { details, blob };
}

// Fill the address or the paste box; say "too-large" for text longer than the box takes.
function fillText(form, details) {
  let url = (details.url || "").trim();
  const text = (details.text || "").trim();
  let pasted = "";
  if (!url && text) {
    const found = text.match(LINK);
    if (found && text.length < LONGEST_TEXT_WITH_LINK) url = found[0];
    else pasted = text;
  }
  const urlField = form.elements.url;
  const pasteField = form.elements.pasted;
  const fits = (field, value) => field.maxLength <= 0 || value.length <= field.maxLength;
  if (pasted && !fits(pasteField, pasted)) return "too-large";
  if (url.startsWith("https://") && fits(urlField, url)) urlField.value = url;
  if (pasted) pasteField.value = pasted;
  return urlField.value || pasteField.value ? "text" : "empty";
}

export async function wireSharedFiles(root) {
  const box = root.querySelector("[data-shared-files]");
  const form = root.querySelector("form[data-import-form]");
  if (!box || !form) return;
  const show = (selector) => {
    const notice = root.querySelector(selector);
    if (notice) notice.hidden = false;
    return notice;
  };
  const end = (state) => {
    box.dataset.sharedState = state;
  };

  let share = null;
  try {
    share = await takeShare(box.dataset.sharedId);
  } catch {
    share = null; // storage refused or broken: the same as gone
  }
  if (!share) {
    show("[data-shared-expired]");
    end("expired");
    return;
  }
  const { details, blob } = share;
  const summary = box.querySelector("[data-shared-file]");
  const refuse = (reason) => {
    summary.hidden = !details.file;
    show(`[data-shared-refused="${reason}"]`);
    end("refused");
  };
  if (!details.file) {
    const filled = fillText(form, details);
    if (filled === "too-large") return refuse("too-large");
    show(filled === "text" ? "[data-import-shared]" : "[data-shared-empty]");
    end(filled);
    return;
  }

  const kind = kindOf(details.file);
  summary.querySelector("[data-shared-name]").textContent = details.file.name;
  if (!kind) return refuse("not-a-badge");
  if (!blob || details.file.size > Number(box.dataset.maxBytes)) return refuse("too-large");

  const file = new File([blob], details.file.name, { type: details.file.type || blob.type });
  const transfer = new DataTransfer();
  transfer.items.add(file);
  const input = form.querySelector('input[type="file"]');
  input.files = transfer.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));

  summary.querySelector("[data-shared-kind]").textContent = box.dataset[`kind${kind[0].toUpperCase()}${kind.slice(1)}`];
  if (kind === "png" || kind === "svg") {
    const preview = summary.querySelector("[data-shared-preview]");
    // A picture in <img> runs no script, an SVG's included; blob: is allowed by the page's CSP.
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
  }
  summary.hidden = false;
  show("[data-import-shared]");
  end("file");
}
