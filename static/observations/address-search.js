// The address search of a form with a point (the observation form, a walk's stop): what is typed
// in the place field is looked up by the server (observations:address_search), and choosing one
// of the addresses found fills its point.
// Buttons and a polite live region: the keyboard and screen-reader path to a point, no map needed.
(function () {
  "use strict";
  var box = document.getElementById("address-search");
  if (!box) { return; }
  var form = box.closest("form");
  var place = form.querySelector("[name=" + (box.getAttribute("data-place-field") || "place") + "]");
  var quartier = form.querySelector("[name=quartier]");
  var fixedQuartier = box.getAttribute("data-quartier");
  var lat = form.querySelector("input[name=latitude]");
  var lon = form.querySelector("input[name=longitude]");
  var find = document.getElementById("address-find");
  var T = window.aqTexts("position-messages");
  box.classList.remove("d-none");

  function results() { return document.getElementById("address-results"); }
  function say(text) {
    results().innerHTML = "";
    var p = document.createElement("p");
    p.className = "small mb-0 mt-1";
    p.textContent = text;
    results().appendChild(p);
  }

  find.addEventListener("click", function () {
    var query = place.value.trim();
    if (query.length < 3) {
      say(T.text("address_short"));
      place.focus();
      return;
    }
    var url = box.getAttribute("data-url") + "?" + new URLSearchParams({
      q: query, quartier: fixedQuartier || (quartier ? quartier.value : "")
    });
    say(T.text("address_searching"));
    find.disabled = true;
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.status === 429) { throw { said: T.text("address_too_many") }; }
        if (!response.ok) { throw { said: T.text("address_down") }; }
        return response.text();
      })
      .then(function (html) { results().outerHTML = html; })
      .catch(function (error) {
        say(error.said || T.text("address_offline"));
      })
      .then(function () { find.disabled = false; });
  });

  box.addEventListener("click", function (event) {
    var choice = event.target.closest(".address-choice");
    if (!choice) { return; }
    lat.value = choice.getAttribute("data-lat");
    lon.value = choice.getAttribute("data-lon");
    form.dispatchEvent(new CustomEvent("aq:point-changed"));
    form.dispatchEvent(new CustomEvent("aq:point-placed", {
      detail: { status: T.text("address_attached", { label: choice.textContent.trim() }) }
    }));
  });
})();
