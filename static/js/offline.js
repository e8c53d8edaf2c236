// Reading the backpack with no connection. The service worker shows the notice on a page it
// answered with the copy kept on the phone; here we ask it to keep every badge listed on this
// page, so each one opens offline later, not only those opened before.
export function wireOffline(root) {
  const notice = root.querySelector("[data-offline-notice]");
  if (notice && !notice.hidden) {
    // Messages of the moment the copy was kept ("Saved.") mean nothing now.
    for (const flash of root.querySelectorAll("[data-flash]")) flash.remove();
    return;
  }
  const lists = root.querySelectorAll("[data-keep-offline]");
  if (!lists.length || !("serviceWorker" in navigator)) return;
  const paths = new Set();
  for (const list of lists) {
    for (const link of list.querySelectorAll("a[href]")) paths.add(new URL(link.href).pathname);
    for (const image of list.querySelectorAll("img[src]")) paths.add(new URL(image.src).pathname);
  }
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "kept-offline") root.documentElement.dataset.keptOffline = String(event.data.kept);
  });
  navigator.serviceWorker.ready.then((registration) =>
    registration.active?.postMessage({ type: "keep-offline", paths: [...paths] }),
  );
}
