// Record with MediaRecorder behind a start and a stop button, with a running duration and a cap:
// the one piece the evidence page (voice, video) and the teacher's voice message share.

export function formatDuration(seconds) {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

export function canRecord() {
  return Boolean(navigator.mediaDevices?.getUserMedia) && "MediaRecorder" in window;
}

// The first of the types the server takes that this browser can write ("" lets it choose).
export function supportedType(types) {
  return types.find((type) => MediaRecorder.isTypeSupported(type)) || "";
}

// open() resolves to { stream, release, types }: what to record, what to stop afterwards, and
// the types to try for it. recorded(blob) gets the recording; failed() is told if open() fails.
export function wireRecorder({ start, stop, duration, open, maxSeconds = 0, recorded, failed }) {
  let recorder = null;
  start.addEventListener("click", async () => {
    let source;
    try {
      source = await open();
    } catch {
      failed();
      return;
    }
    const type = supportedType(source.types);
    const chunks = [];
    let timer = null;
    recorder = new MediaRecorder(source.stream, type ? { mimeType: type } : {});
    recorder.addEventListener("dataavailable", (event) => event.data.size && chunks.push(event.data));
    recorder.addEventListener("stop", () => {
      clearInterval(timer);
      source.release();
      // The focus goes back to the start button, not lost with the stop button it was on.
      const focused = document.activeElement === stop;
      start.hidden = false;
      stop.hidden = true;
      if (focused) start.focus();
      const blobType = (recorder.mimeType || type || source.types.at(-1)).split(";")[0];
      recorded(new Blob(chunks, { type: blobType }));
    });
    const began = performance.now();
    duration.textContent = formatDuration(0);
    timer = setInterval(() => {
      const seconds = (performance.now() - began) / 1000;
      duration.textContent = formatDuration(seconds);
      // Stop a little before the cap: the server measures the container, not this clock.
      if (maxSeconds && seconds >= maxSeconds - 1) stopRecording();
    }, 250);
    recorder.start(250);
    start.hidden = true;
    stop.hidden = false;
    stop.focus();
  });
  const stopRecording = () => recorder?.state === "recording" && recorder.stop();
  stop.addEventListener("click", stopRecording);
  window.addEventListener("pagehide", stopRecording);
}

// A microphone-only stream, for voice clips and voice messages.
export const AUDIO_TYPES = ["audio/webm;codecs=opus", "audio/mp4", "audio/webm"];

export async function openMicrophone() {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  return { stream, types: AUDIO_TYPES, release: () => stream.getTracks().forEach((track) => track.stop()) };
}
