// Small behaviours shared by every page. No inline scripts: the Content Security Policy forbids them.
(function () {
  "use strict";
  // Auto-submit filter forms marked data-autosubmit (htmx handles the request when present).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && !window.htmx) { form.submit(); }
  });
  // "Ajouter" of an agent search box: once the ticked box has arrived, empty the search box and
  // give it the focus back for the next name.
  document.addEventListener("htmx:afterRequest", function (event) {
    var selector = event.detail.elt && event.detail.elt.dataset && event.detail.elt.dataset.clear;
    var field = selector && document.querySelector(selector);
    if (field && event.detail.successful) {
      field.value = "";
      field.focus();
    }
  });
  // Move focus to the main region after an htmx swap that replaced results, for screen readers.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.dataset && target.dataset.focusAfterSwap !== undefined) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });
})();
