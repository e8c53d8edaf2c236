// Dictate a reflection (Web Speech API) in the page's language, for learners who find typing hard.
// The button stays hidden where the browser cannot recognise speech.
export function wireDictation(root) {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (!Recognition) return;
  for (const button of root.querySelectorAll("[data-dictate]")) {
    const field = document.getElementById(button.dataset.dictate);
    if (!field) continue;
    let listening = null;
    button.hidden = false;
    button.addEventListener("click", () => {
      if (listening) {
        listening.stop();
        return;
      }
      listening = new Recognition();
      listening.lang = document.documentElement.lang;
      listening.addEventListener("result", (event) => {
        const heard = Array.from(event.results, (result) => result[0].transcript).join(" ").trim();
        if (heard) field.value = [field.value.trimEnd(), heard].filter(Boolean).join(" ");
      });
      listening.addEventListener("end", () => {
        listening = null;
        button.setAttribute("aria-pressed", "false");
      });
      button.setAttribute("aria-pressed", "true");
      listening.start();
    });
  }
}
