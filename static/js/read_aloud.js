// Read text aloud (Web Speech API) in its own language, for learners who read little.
// A button with data-read-aloud-text reads what that selector finds (an instruction); one without
// reads every [data-read-aloud] block of the page (a badge's words). Where the phone has no voice
// for the language, the button says so in words instead of reading the text in another language.

// How long to wait for a browser that lists its voices only after the page asked once.
const VOICES_WAIT_MS = 1500;

// A BCP 47 tag as lower-case subtags; the page may name a catalogue code (zh_Hans) too.
const subtagsOf = (tag) => String(tag || "").replace(/_/g, "-").toLowerCase().split("-");

// Chinese in simplified or traditional characters: the script named, else the region's.
function chineseScript(subtags) {
  if (subtags.includes("hant")) return "hant";
  if (subtags.includes("hans")) return "hans";
  return subtags.some((subtag) => ["tw", "hk", "mo"].includes(subtag)) ? "hant" : "hans";
}

// The voice that speaks this language best: the same tag, else the same language (and script),
// the phone's default voice first. null when the phone has none for it.
export function voiceFor(tag, voices) {
  const wanted = subtagsOf(tag);
  const same = voices.filter((voice) => {
    const offered = subtagsOf(voice.lang);
    if (offered[0] !== wanted[0]) return false;
    return wanted[0] !== "zh" || chineseScript(offered) === chineseScript(wanted);
  });
  const exact = same.filter((voice) => subtagsOf(voice.lang).join("-") === wanted.join("-"));
  for (const group of [exact, same]) {
    const found = group.find((voice) => voice.default) || group[0];
    if (found) return found;
  }
  return null;
}

function voicesReady() {
  const listed = speechSynthesis.getVoices();
  if (listed.length) return Promise.resolve(listed);
  return new Promise((resolve) => {
    const done = () => resolve(speechSynthesis.getVoices());
    speechSynthesis.addEventListener("voiceschanged", done, { once: true });
    setTimeout(done, VOICES_WAIT_MS);
  });
}

const languageOf = (element) => element.closest("[lang]")?.getAttribute("lang") || document.documentElement.lang || "en";

function statusFor(button) {
  let status = button.parentElement.querySelector("[data-read-aloud-status]");
  if (!status) {
    status = Object.assign(document.createElement("span"), { className: "muted" });
    status.dataset.readAloudStatus = "";
    status.setAttribute("role", "status");
    button.after(status);
  }
  return status;
}

export function wireReadAloud(root) {
  if (!("speechSynthesis" in window)) return;
  for (const button of root.querySelectorAll("[data-read-aloud-button]")) {
    const selector = button.dataset.readAloudText;
    const blocks = () => [...(selector ? root.querySelectorAll(selector) : root.querySelectorAll("[data-read-aloud]"))];
    const status = statusFor(button);
    button.hidden = false;
    button.addEventListener("click", async () => {
      if (speechSynthesis.speaking) {
        speechSynthesis.cancel();
        return;
      }
      status.textContent = "";
      const voices = await voicesReady();
      let unspoken = false;
      for (const block of blocks()) {
        const text = block.textContent.trim().replace(/\s+/g, " ");
        if (!text) continue;
        const lang = languageOf(block).replace(/_/g, "-");
        const voice = voiceFor(lang, voices);
        if (!voice) {
          unspoken = true;
          continue;
        }
        const utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = voice.lang;
        utterance.voice = voice;
        speechSynthesis.speak(utterance);
      }
      if (unspoken) status.textContent = button.dataset.msgNoVoice || "";
    });
  }
}
