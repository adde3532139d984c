// Meetings: ask before irreversible actions (forms marked data-confirm). No inline script (CSP).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // Filter a long list of checkboxes (input[data-filter-choices] names the field's container).
  document.addEventListener("input", function (event) {
    var target = event.target.getAttribute("data-filter-choices");
    var box = target && document.getElementById(target);
    if (!box) { return; }
    var words = event.target.value.trim().toLowerCase();
    box.querySelectorAll(".form-check").forEach(function (choice) {
      var input = choice.querySelector("input");
      var match = !words || choice.textContent.toLowerCase().indexOf(words) !== -1;
      choice.hidden = !match && !(input && input.checked);
    });
  });
  // Enter in the filter filters; it does not submit the form around it.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.hasAttribute("data-filter-choices")) {
      event.preventDefault();
    }
  });
  // Select the whole secret address on focus, to copy it easily.
  document.addEventListener("focusin", function (event) {
    if (event.target.id === "feed-url") { event.target.select(); }
  });
})();
