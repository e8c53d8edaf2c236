// The teacher's voice message on the review page: the recording goes into the form's file input,
// so the form posts as it does without script (where the teacher picks a sound file instead).
import { canRecord, openMicrophone, wireRecorder } from "./recorder.js";

const EXTENSIONS = { "audio/webm": "webm", "audio/mp4": "m4a", "audio/ogg": "ogg" };

export function wireVoiceMessage(root) {
  const form = root.querySelector("form[data-voice-message]");
  if (!form || !canRecord() || typeof DataTransfer === "undefined") return;
  const tools = form.querySelector("[data-voice-message-tools]");
  const ready = tools.querySelector("[data-record-ready]");
  const input = form.querySelector('input[type="file"][name="audio"]');
  tools.hidden = false;
  wireRecorder({
    start: tools.querySelector("[data-record-start]"),
    stop: tools.querySelector("[data-record-stop]"),
    duration: tools.querySelector("[data-record-duration]"),
    maxSeconds: Number(form.dataset.maxSeconds) || 0,
    open: openMicrophone,
    recorded: (blob) => {
      const name = `voice-message.${EXTENSIONS[blob.type] || "webm"}`;
      const files = new DataTransfer();
      files.items.add(new File([blob], name, { type: blob.type }));
      input.files = files.files;
      ready.textContent = form.dataset.msgReady;
    },
    failed: () => (ready.textContent = form.dataset.msgNoMicrophone),
  });
}
