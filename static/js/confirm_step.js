// Ask once, in the page, before a step that cannot be undone (awarding a badge from a review).
// Without this script the link opens a page that asks the same question; with it, a button
// shows the question below it and moves focus there; "Not yet" or Escape closes it again.
export function wireConfirmSteps(root) {
  for (const box of root.querySelectorAll("[data-confirm]")) {
    const fallback = box.querySelector("[data-confirm-fallback]");
    const open = box.querySelector("[data-confirm-open]");
    const panel = box.querySelector("[data-confirm-panel]");
    if (!open || !panel) continue;
    const heading = panel.querySelector("[tabindex='-1']");
    const show = (shown) => {
      panel.hidden = !shown;
      open.setAttribute("aria-expanded", String(shown));
      (shown ? heading ?? panel : open).focus();
    };
    open.addEventListener("click", () => show(panel.hidden));
    panel.querySelector("[data-confirm-cancel]")?.addEventListener("click", () => show(false));
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") show(false);
    });
    if (fallback) fallback.hidden = true;
    open.hidden = false;
  }
}
