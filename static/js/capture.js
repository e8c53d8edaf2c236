// The evidence page: three picture buttons (photo, video, voice) and "Choose a file"; each item is
// kept in the offline queue (IndexedDB) first, shown in the list at once, then uploaded with
// progress and retry.
import "./evidence_queue.js";

// Shrinking a photo is needed only once one is taken: fetched then, not with the page.
const downscalePhoto = async (blob) => (await import("./photo_resize.js")).downscalePhoto(blob);

// As recorder.js's: here, so the page shows its record buttons without fetching that module.
const canRecord = () => Boolean(navigator.mediaDevices?.getUserMedia) && "MediaRecorder" in window;

// The recorder is fetched at the first tap on a record button, which it then answers: most visits
// only take a photo, and the page stays within 5 requests. options(recorder) gives wireRecorder's
// options, the module's own functions at hand.
function wireRecorderOnTap(start, options) {
  const first = async () => {
    let recorder;
    try {
      recorder = await import("./recorder.js");
    } catch {
      start.addEventListener("click", first, { once: true });
      return;
    }
    recorder.wireRecorder({ start, ...options(recorder) });
    start.click();
  };
  start.addEventListener("click", first, { once: true });
}

const queue = self.backpackEvidenceQueue;
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";
// Types the server takes, best first; without a microphone, no sound codec is asked for.
const VIDEO_TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/mp4", "video/webm"];
const SILENT_VIDEO_TYPES = ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/mp4", "video/webm"];

function extensionFor(type) {
  if (type.includes("jpeg")) return "jpg";
  if (type.includes("mp4")) return type.startsWith("audio") ? "m4a" : "mp4";
  if (type.includes("webm")) return "webm";
  if (type.includes("ogg")) return "ogg";
  return "bin";
}

export function wireCapture(root) {
  const form = root.querySelector("form[data-capture]");
  if (!form || !("indexedDB" in window) || !queue) return;
  const say = (name) => form.dataset[name] || "";
  const list = root.querySelector("[data-queue]");
  const tools = form.querySelector("[data-capture-tools]");
  const ready = form.querySelector("[data-capture-ready]");
  const fileInput = form.querySelector('input[type="file"][name="file"]');
  const photoInput = form.querySelector("[data-photo-input]");
  tools.hidden = false;

  // The media waiting for Save: a taken photo, a voice clip, or a picked file.
  let pending = null;
  const setPending = (blob, filename, message) => {
    pending = blob ? { blob, filename } : null;
    ready.textContent = blob ? message : "";
  };

  photoInput.addEventListener("change", () => {
    const file = photoInput.files[0];
    if (file) setPending(file, file.name, say("msgPhotoReady"));
  });
  fileInput?.addEventListener("change", () => {
    const file = fileInput.files[0];
    if (file) setPending(file, file.name, say("msgFileReady"));
  });

  wireCamera(form, say, {
    taken: (blob) => setPending(blob, "photo.jpg", say("msgPhotoReady")),
    filmed: (blob) => setPending(blob, `video.${extensionFor(blob.type)}`, say("msgVideoReady")),
  });
  wireVoice(form, say, (blob) => setPending(blob, `voice.${extensionFor(blob.type)}`, say("msgVoiceReady")));

  // --- each item in the list at once, as the learner sees it: waiting, sending, sent ---
  const empty = root.querySelector("[data-evidence-empty]");
  const rows = new Map();
  const rowFor = (item) => {
    let row = rows.get(item.key);
    if (row) return row;
    row = Object.assign(document.createElement("li"), { className: "item is-new" });
    row.dataset.queueItem = item.key;
    const what = Object.assign(document.createElement("span"), { className: "item-link" });
    what.dataset.queueWhat = "";
    const title = Object.assign(document.createElement("strong"), { dir: "auto", textContent: item.title || item.filename });
    const status = Object.assign(document.createElement("span"), { className: "muted" });
    status.dataset.queueStatus = "";
    status.setAttribute("role", "status");
    what.append(title, status);
    const progress = Object.assign(document.createElement("progress"), { max: 1, value: 0, hidden: true });
    const retry = Object.assign(document.createElement("button"), { type: "button", className: "button button-secondary", hidden: true });
    retry.dataset.queueRetry = "";
    retry.textContent = say("msgRetry");
    retry.addEventListener("click", () => uploadNow({ includeFailed: true }));
    row.append(what, progress, retry);
    list.prepend(row);
    list.hidden = false;
    if (empty) empty.hidden = true;
    rows.set(item.key, row);
    return row;
  };
  // Once stored, the row opens the item like the rows the server listed.
  const becomeLink = (row, url) => {
    const what = row.querySelector("[data-queue-what]");
    if (!url || what.tagName === "A") return;
    const link = Object.assign(document.createElement("a"), { className: "item-link", href: url });
    link.dataset.queueWhat = "";
    link.append(...what.childNodes);
    what.replaceWith(link);
  };
  const show = (item, state, extra = {}) => {
    const row = rowFor(item);
    const status = row.querySelector("[data-queue-status]");
    const progress = row.querySelector("progress");
    row.dataset.state = state;
    progress.hidden = state !== "uploading";
    row.querySelector("[data-queue-retry]").hidden = state !== "failed";
    if (state === "uploading") {
      const percent = Math.round((extra.progress || 0) * 100);
      progress.value = extra.progress || 0;
      status.textContent = say("msgUploading").replace("{percent}", String(percent));
    } else if (state === "uploaded") {
      status.textContent = say("msgUploaded");
      becomeLink(row, extra.url);
    } else if (state === "failed") {
      status.textContent = [say("msgFailed"), extra.error || item.error || ""].filter(Boolean).join(" ");
    } else {
      // The server's own words when it asked to be sent later (no room now), else "waiting".
      status.textContent = extra.error || say("msgWaiting");
    }
  };

  const uploadNow = async (options = {}) => {
    if (!navigator.onLine) return;
    await queue.flush({ ...options, csrf: csrfToken(), onState: show, again: true });
  };

  // Keep the item first, then try to send it; offline, it waits for the connection.
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    event.stopImmediatePropagation();
    const chosen = pending || (fileInput?.files[0] ? { blob: fileInput.files[0], filename: fileInput.files[0].name } : null);
    if (!chosen) {
      ready.textContent = say("msgNothing");
      return;
    }
    let { blob, filename } = chosen;
    if (blob.type.startsWith("image/") && blob.type !== "image/gif") {
      blob = await downscalePhoto(blob);
      if (blob !== chosen.blob) filename = filename.replace(/\.[^.]*$/, "") + ".jpg";
    }
    const item = queue.newItem({
      blob,
      filename,
      title: form.elements.title?.value.trim() || "",
      reflection: form.elements.reflection?.value.trim() || "",
      csrf: csrfToken(),
    });
    await queue.put(item);
    show(item, "waiting");
    form.reset();
    setPending(null);
    if (navigator.onLine) uploadNow();
    else queue.requestSync();
  }, true);

  // Uploads done by the service worker (Background Sync) while this page is open.
  navigator.serviceWorker?.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "evidence-queue" && rows.has(data.key)) show({ key: data.key }, data.state);
  });
  window.addEventListener("online", () => uploadNow());

  // On opening the page: show what is still waiting from before, and send it if we can.
  queue.all().then((items) => {
    for (const item of items) show(item, item.state === "failed" ? "failed" : "waiting");
    if (items.length) {
      uploadNow();
      if (!navigator.onLine) queue.requestSync();
    }
  });
}

function wireCamera(form, say, { taken, filmed }) {
  const box = form.querySelector("[data-camera]");
  // The button promises a video: it shows only where the browser can record one.
  if (!box || !canRecord()) return;
  const start = form.querySelector("[data-camera-start]");
  const video = box.querySelector("[data-camera-preview]");
  const shoot = box.querySelector("[data-camera-shoot]");
  const filming = box.querySelector("[data-video]");
  const ready = form.querySelector("[data-capture-ready]");
  const recordButton = filming.querySelector("[data-record-start]");
  let stream = null;
  start.hidden = false;
  start.addEventListener("click", async () => {
    if (stream) {
      recordButton.focus();
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch {
      ready.textContent = say("msgNoCamera");
      return;
    }
    video.srcObject = stream;
    await video.play().catch(() => {});
    box.hidden = false; // once there is a picture to take
    box.scrollIntoView({ block: "nearest" });
  });
  shoot.addEventListener("click", async () => {
    if (!video.videoWidth) return;
    const canvas = Object.assign(document.createElement("canvas"), { width: video.videoWidth, height: video.videoHeight });
    canvas.getContext("2d").drawImage(video, 0, 0);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    if (blob) taken(blob);
  });
  wireRecorderOnTap(recordButton, () => ({
    stop: filming.querySelector("[data-record-stop]"),
    duration: filming.querySelector("[data-record-duration]"),
    maxSeconds: Number(form.dataset.videoMaxSeconds) || 0,
    open: () => withMicrophone(stream),
    recorded: filmed,
    failed: () => (ready.textContent = say("msgNoCamera")),
  }));
  window.addEventListener("pagehide", () => stream?.getTracks().forEach((track) => track.stop()));
}

// The preview's picture with the microphone's sound; only the picture if the microphone is refused.
async function withMicrophone(camera) {
  if (!camera) throw new Error("camera not started");
  let microphone = null;
  try {
    microphone = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  } catch {
    microphone = null;
  }
  const tracks = [...camera.getVideoTracks(), ...(microphone?.getAudioTracks() ?? [])];
  return {
    stream: new MediaStream(tracks),
    types: microphone ? VIDEO_TYPES : SILENT_VIDEO_TYPES,
    release: () => microphone?.getTracks().forEach((track) => track.stop()),
  };
}

function wireVoice(form, say, recorded) {
  const start = form.querySelector("[data-voice-start]");
  if (!start || !canRecord()) return;
  const ready = form.querySelector("[data-capture-ready]");
  start.hidden = false;
  wireRecorderOnTap(start, (recorder) => ({
    stop: form.querySelector("[data-voice-stop]"),
    duration: form.querySelector("[data-voice-duration]"),
    maxSeconds: Number(form.dataset.audioMaxSeconds) || 0,
    open: recorder.openMicrophone,
    recorded,
    failed: () => (ready.textContent = say("msgNoMicrophone")),
  }));
}
