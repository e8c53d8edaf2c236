// A long form in short steps for a phone: one step shows at a time, with Back and Next.
// Without this script every step shows, one under the other; the server checks the whole
// form either way, and when it sends the form back with an error, that step opens.
export function wireFormSteps(root) {
  for (const form of root.querySelectorAll("form[data-steps]")) wireSteps(form);
}

const ERROR = ".field-error:not([hidden]), [aria-invalid='true']";

function wireSteps(form) {
  const steps = [...form.querySelectorAll("[data-step]")];
  if (steps.length < 2) return;
  let current = 0;

  // Moving focus to the step's heading tells a screen reader where it is ("Step 2 of 5 Picture").
  const show = (index, focus) => {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach((step, i) => {
      step.hidden = i !== current;
    });
    form.dataset.step = String(current + 1);
    form.dispatchEvent(new CustomEvent("step-shown", { detail: { step: steps[current] } }));
    if (focus === "heading") steps[current].querySelector("[data-step-heading]")?.focus();
    if (focus === "error") (steps[current].querySelector("[aria-invalid='true']") ?? steps[current].querySelector("[data-step-heading]"))?.focus();
  };

  for (const nav of form.querySelectorAll("[data-step-nav]")) nav.hidden = false;
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-step-back], [data-step-next]");
    if (button) show(current + (button.matches("[data-step-next]") ? 1 : -1), "heading");
  });
  // Enter in a box before the last step goes on to the next one, as it would on paper,
  // rather than sending a half-filled form.
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== "Enter" || current === steps.length - 1 || !(target instanceof HTMLInputElement)) return;
    if (["button", "submit", "file"].includes(target.type)) return;
    event.preventDefault();
    show(current + 1, "heading");
  });

  const withError = steps.findIndex((step) => step.querySelector(ERROR));
  if (withError === -1) show(0);
  else show(withError, "error");
}
