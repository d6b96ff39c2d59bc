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

  document.querySelectorAll("select[name='phase-to_phase']").forEach(function (select) {
    toggleClosingFields(select);
    select.addEventListener("change", function () { toggleClosingFields(select); });
  });
})();
