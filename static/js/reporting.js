// The report's print button; no inline handlers, so the Content-Security-Policy needs no 'unsafe-inline'.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
