// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";

  // The phase form asks for a closure date and reason, and what becomes of the open
  // follow-ups, only when "Abschluss" is chosen; for each open goal's result and the outcome
  // for the person when "Evaluation" or "Abschluss" is chosen.
  function toggleClosingFields(select) {
    var form = select.form;
    var closing = select.value === "closed";
    var reviewing = closing || select.value === "evaluation";
    function show(input, visible) {
      var wrapper = input.closest(".field");
      if (wrapper) wrapper.hidden = !visible;
    }
    ["closed_on", "closure_reason"].forEach(function (name) {
      var input = form.querySelector("[name$='-" + name + "']");
      if (input) show(input, closing);
    });
    form.querySelectorAll("[name^='phase-follow_up_']").forEach(function (input) { show(input, closing); });
    form.querySelectorAll("[name^='phase-goal_'], [name='phase-outcome']").forEach(function (input) {
      show(input, reviewing);
    });
  }

  // Long choice lists get a search box (data-filterable="<its label>"): a group of checkboxes
  // hides the rows, a select the options that do not match. Without this script the lists
  // are still complete and grouped.
  function normalise(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function addSearch(element) {
    if (element.dataset.searchReady) return;
    element.dataset.searchReady = "true";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "choice-search";
    input.setAttribute("aria-label", element.dataset.filterable);
    input.placeholder = element.dataset.filterable + " …";
    var isSelect = element.tagName === "SELECT";
    if (isSelect) {
      element.parentNode.insertBefore(input, element);
    } else {
      var legend = element.querySelector("legend");
      legend.parentNode.insertBefore(input, legend.nextSibling);
    }
    input.addEventListener("input", function () {
      var words = normalise(input.value).split(/\s+/).filter(Boolean);
      var matches = function (text) {
        text = normalise(text);
        return words.every(function (word) { return text.indexOf(word) !== -1; });
      };
      if (isSelect) {
        Array.prototype.forEach.call(element.options, function (option) {
          option.hidden = option.value !== "" && !option.selected && !matches(option.textContent);
        });
        element.querySelectorAll("optgroup").forEach(function (group) {
          group.hidden = !group.querySelector("option:not([hidden])");
        });
      } else {
        element.querySelectorAll(".checkbox-row").forEach(function (row) {
          row.hidden = !row.querySelector("input").checked && !matches(row.textContent);
        });
        element.querySelectorAll("fieldset.choice-group").forEach(function (group) {
          group.hidden = !group.querySelector(".checkbox-row:not([hidden])");
        });
      }
    });
  }

  // A select with data-narrowed-by="<name of another select>" offers only the options whose
  // data-actor matches that select's value (a referral's contact persons of its actor).
  function narrow(select) {
    var by = select.form && select.form.elements[select.dataset.narrowedBy];
    if (!by) return;
    var update = function () {
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.dataset.actor) return;
        option.hidden = option.dataset.actor !== by.value;
        if (option.hidden && option.selected) select.value = "";
      });
    };
    by.addEventListener("change", update);
    update();
  }

  function enhance(root) {
    root.querySelectorAll("[data-filterable]").forEach(addSearch);
    root.querySelectorAll("select[data-narrowed-by]").forEach(narrow);
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

  // Keyboard focus after a page load: on a form that failed, its error summary; after a
  // save, the panel or section it was made in (the URL's #fragment, set by the view).
  function focusTarget(element) {
    if (!element) return;
    if (element.tagName === "DETAILS") element = element.querySelector("summary");
    if (!element.matches("a, button, input, select, textarea, summary, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function restoreFocus() {
    var summary = document.querySelector(".error-summary, section.question[tabindex]");
    if (summary) {
      summary.focus();
      return;
    }
    if (window.location.hash.length > 1) {
      focusTarget(document.getElementById(decodeURIComponent(window.location.hash.slice(1))));
    }
  }

  // A link of an error summary puts the focus into the field, not only the view.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var panel = field.closest("details");
    if (panel && !panel.open) panel.open = true;
    field.focus();
  });

  // A list's filters are open in the markup (so they work without this script); on a phone
  // they fold away behind their summary, which says how many are set.
  if (window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details[data-collapse-on-phone]").forEach(function (details) {
      if (!details.querySelector(".errorlist")) details.open = false;
    });
  }

  enhance(document);
  // After the load: the browser's own scroll to the #fragment would take the focus again.
  if (document.readyState === "complete") restoreFocus();
  else window.addEventListener("load", function () { window.setTimeout(restoreFocus, 0); });
  document.querySelectorAll("details[data-panel-url]").forEach(function (details) {
    details.addEventListener("toggle", function () { loadPanel(details); });
  });
})();
