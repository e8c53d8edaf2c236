// A big award's progress bar: poll the job's small JSON every second and move the bar; when the
// job ends (done, failed or stalled) reload once, so the page shows the outcome and "Try again".
// Without JavaScript the page refreshes itself (<noscript> meta refresh) and has a Reload link.
const POLL_MS = 1000;

export function wireAwardProgress(root) {
  const section = root.querySelector("[data-award-progress]");
  if (!section) return;
  const bar = section.querySelector("[data-award-bar]");
  const count = section.querySelector("[data-award-count]");
  const shown = section.dataset.state;
  if (shown !== "queued" && shown !== "running") return;

  const poll = async () => {
    let data;
    try {
      const response = await fetch(section.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(response.statusText);
      data = await response.json();
    } catch {
      setTimeout(poll, POLL_MS * 3); // offline for a moment: try again a little later
      return;
    }
    bar.max = data.total;
    bar.value = data.done;
    bar.textContent = `${data.done} / ${data.total}`;
    count.textContent = data.label;
    if (data.state !== shown && data.state !== "running") {
      window.location.reload();
      return;
    }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}
