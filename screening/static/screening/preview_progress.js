/* The rules preview runs in the background: show its progress, and the result once it is ready. */
(function () {
  "use strict";
  const status = document.getElementById("preview-progress");
  if (!status) return;
  const url = status.dataset.progressUrl;
  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const progress = await response.json();
      if (progress.state !== "running") {
        window.location.reload();
        return;
      }
      document.getElementById("preview-done").textContent = progress.done;
      document.getElementById("preview-total").textContent = progress.total || "…";
      const bar = document.getElementById("preview-bar");
      bar.max = progress.total || 1;
      bar.value = progress.done;
    } catch (error) {
      return; /* the link to check now still works */
    }
    window.setTimeout(poll, 2000);
  }
  window.setTimeout(poll, 2000);
})();
