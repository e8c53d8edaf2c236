// The badge designer's live preview. The server draws badges (with Pillow), so the page asks
// it to draw the teacher's current choices, exactly as the badge will be stored (a GET that
// saves nothing), and shows that picture.
const TYPING_PAUSE_MS = 350;

export function wireBadgePreview(root) {
  const form = root.querySelector("[data-badge-form]");
  const figure = root.querySelector("[data-badge-preview]");
  if (!form || !figure) return;
  const image = figure.querySelector("[data-badge-preview-image]");
  const errorBox = figure.querySelector("[data-badge-preview-error]");
  const label = form.querySelector('[name="design_label"]');
  const chosen = (name) => form.querySelector(`input[name="${name}"]:checked`);
  const words = (input) => input?.closest("label")?.textContent.trim() ?? "";
  let controller = null;
  let shownURL = null;
  let timer = 0;

  const fail = (message) => {
    errorBox.textContent = message;
    errorBox.hidden = false;
    figure.dataset.previewState = "error";
  };

  async function draw() {
    const icon = chosen("design_icon");
    const colour = chosen("design_colour");
    if (!icon || !colour) return;
    const text = label ? label.value.trim() : "";
    const url = new URL(figure.dataset.previewUrl, window.location.href);
    url.search = new URLSearchParams({ icon: icon.value, colour: colour.value, label: text }).toString();
    controller?.abort();
    controller = new AbortController();
    figure.dataset.previewState = "drawing";
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", signal: controller.signal });
    } catch (error) {
      if (error.name !== "AbortError") fail(figure.dataset.failed);
      return;
    }
    if (!response.ok) {
      // The server says what is wrong with the label, in the teacher's language.
      const said = response.status === 400 || response.status === 422 ? (await response.text()).trim() : "";
      fail(said || figure.dataset.failed);
      return;
    }
    const picture = await response.blob();
    if (shownURL) URL.revokeObjectURL(shownURL);
    shownURL = URL.createObjectURL(picture);
    image.src = shownURL;
    image.alt = `${figure.dataset.alt} ${[words(icon), words(colour), text].filter(Boolean).join(", ")}`;
    errorBox.hidden = true;
    figure.dataset.previewFor = [icon.value, colour.value, text].join("/");
    figure.dataset.previewState = "ready";
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "design_icon" || event.target.name === "design_colour") draw();
  });
  label?.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(draw, TYPING_PAUSE_MS);
  });
  // Lazy in the markup, so a page without script does not fetch a picture it keeps hidden.
  image.loading = "eager";
  figure.hidden = false;
  draw();
}
