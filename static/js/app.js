// Small behaviours shared by every page. No inline scripts: the Content Security Policy forbids them.
(function () {
  "use strict";
  // Texts a script shows, translated by the server and handed over as JSON data in the page
  // (json_script: no inline script). `source`: the id of that data, or the texts themselves.
  // text(key, values) fills « %(name)s »; plural(n, key, values) takes a [singular, plural] pair
  // and the plural above one, as French does.
  window.aqTexts = function (source) {
    var table = source || {};
    if (typeof source === "string") {
      try { table = JSON.parse(document.getElementById(source).textContent); } catch (e) { table = {}; }
    }
    function format(message, values) {
      Object.keys(values || {}).forEach(function (name) { message = message.split("%(" + name + ")s").join(values[name]); });
      return message;
    }
    return {
      text: function (key, values) { return format(typeof table[key] === "string" ? table[key] : key, values); },
      plural: function (n, key, values) {
        var pair = Array.isArray(table[key]) ? table[key] : [key, key];
        return format(pair[n > 1 ? 1 : 0], Object.assign({ n: n }, values || {}));
      },
    };
  };
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
