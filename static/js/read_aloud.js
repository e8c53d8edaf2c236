// Read the badge's text aloud in the page's language (Web Speech API), for learners who read little English.
export function wireReadAloud(root) {
  const button = root.querySelector("[data-read-aloud-button]");
  if (!button || !("speechSynthesis" in window)) return;
  const lang = document.documentElement.lang;
  button.hidden = false;
  button.addEventListener("click", () => {
    if (speechSynthesis.speaking) {
      speechSynthesis.cancel();
      return;
    }
    for (const block of root.querySelectorAll("[data-read-aloud]")) {
      const utterance = new SpeechSynthesisUtterance(block.textContent.trim());
      utterance.lang = lang;
      const voice = speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().startsWith(lang));
      if (voice) utterance.voice = voice;
      speechSynthesis.speak(utterance);
    }
  });
}
