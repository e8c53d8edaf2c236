// The badge form: show only the image part the teacher chose (design here, or upload).
export function wireBadgeForm(root) {
  const form = root.querySelector("[data-badge-form]");
  if (!form) return;
  const parts = form.querySelectorAll("[data-image-source]");
  const sync = () => {
    const chosen = form.querySelector('input[name="image_source"]:checked')?.value ?? "design";
    for (const part of parts) part.hidden = part.dataset.imageSource !== chosen;
  };
  for (const radio of form.querySelectorAll('input[name="image_source"]')) radio.addEventListener("change", sync);
  sync();
}
