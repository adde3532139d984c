// Meetings: ask before irreversible actions (forms marked data-confirm). No inline script (CSP).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // Select the whole secret address on focus, to copy it easily.
  document.addEventListener("focusin", function (event) {
    if (event.target.id === "feed-url") { event.target.select(); }
  });
})();
