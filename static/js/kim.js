// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";

  // The phase form asks for a closure date and reason only when "Abschluss" is chosen.
  function toggleClosingFields(select) {
    var form = select.form;
    var closing = select.value === "closed";
    ["closed_on", "closure_reason"].forEach(function (name) {
      var input = form.querySelector("[name$='-" + name + "']");
      if (!input) return;
      var wrapper = input.closest(".field");
      if (wrapper) wrapper.hidden = !closing;
    });
  }

  function enhance(root) {
    root.querySelectorAll("select[name='phase-to_phase']").forEach(function (select) {
      toggleClosingFields(select);
      select.addEventListener("change", function () { toggleClosingFields(select); });
    });
  }

  // Panels (the case page's, the quick contact on Mein Arbeitsplatz) load their form when
  // opened. Without this script the panel holds a link that reloads the page with the form
  // open (?eingabe=…), and so does a failed fetch or an expired session (the fetch would end
  // on the login page).
  function loadPanel(details) {
    var body = details.querySelector(".panel-body");
    if (!details.open || !body || body.querySelector("form") || details.dataset.loading) return;
    var fallback = body.querySelector("a");
    details.dataset.loading = "true";
    body.setAttribute("aria-busy", "true");
    fetch(details.dataset.panelUrl, { credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        if (!response.ok) throw new Error("panel " + response.status);
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        enhance(body);
      })
      .catch(function () {
        if (fallback) window.location.assign(fallback.href);
      })
      .finally(function () {
        delete details.dataset.loading;
        body.removeAttribute("aria-busy");
      });
  }

  enhance(document);
  document.querySelectorAll("details[data-panel-url]").forEach(function (details) {
    details.addEventListener("toggle", function () { loadPanel(details); });
  });
})();
