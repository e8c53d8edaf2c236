// The badge form: show only the image part the teacher chose (design here, or upload), and
// fill the last step's summary with what the teacher wrote and the picture the badge gets.
export function wireBadgeForm(root) {
  const form = root.querySelector("[data-badge-form]");
  if (!form) return;
  const parts = form.querySelectorAll("[data-image-source]");
  const source = () => form.querySelector('input[name="image_source"]:checked')?.value ?? "design";
  const sync = () => {
    for (const part of parts) part.hidden = part.dataset.imageSource !== source();
  };
  for (const radio of form.querySelectorAll('input[name="image_source"]')) radio.addEventListener("change", sync);
  sync();
  wireCheck(form, source);
}

function wireCheck(form, source) {
  const check = form.querySelector("[data-badge-check]");
  if (!check) return;
  const picture = check.querySelector("[data-badge-check-image]");
  let uploadURL = null;
  form.addEventListener("step-shown", (event) => {
    if (!event.detail.step.contains(check)) return;
    for (const cell of check.querySelectorAll("[data-badge-check-field]")) {
      cell.textContent = form.elements[cell.dataset.badgeCheckField]?.value.trim() ?? "";
    }
    const designed = source() === "design" ? form.querySelector("[data-badge-preview-image]") : null;
    const file = source() === "upload" ? form.querySelector('input[name="image"]')?.files?.[0] : null;
    if (uploadURL) URL.revokeObjectURL(uploadURL);
    uploadURL = file ? URL.createObjectURL(file) : null;
    if (designed) [picture.src, picture.alt] = [designed.src, designed.alt];
    if (file) [picture.src, picture.alt] = [uploadURL, file.name];
    picture.hidden = !designed && !file;
    check.hidden = false;
  });
}
