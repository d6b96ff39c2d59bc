// Keeps a job's progress bar current (templates/jobs/progress.html) and reloads the page when
// the job has ended, so the result shows. No inline code (CSP); without JS the page refreshes.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-job-status]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[role=status]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.jobStatus, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const state = await response.json();
        if (state.finished) {
          window.location.reload();
          return;
        }
        if (state.total) {
          bar.max = state.total;
          bar.value = state.done;
          text.textContent = state.label;
        }
      }
    } catch (error) {
      // A failed poll (network hiccup) is retried with the next one.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
});
