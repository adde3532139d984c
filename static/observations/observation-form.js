// The observation form: a draft kept in the browser, geolocation on request, live checks.
// No inline script: the Content Security Policy forbids it.
(function () {
  "use strict";
  var DRAFT_DAYS = 7;

  // On the page shown after saving: the draft is no longer needed.
  var saved = document.querySelector("[data-clear-draft]");
  if (saved) {
    try { localStorage.removeItem(saved.getAttribute("data-clear-draft")); } catch (e) { /* storage off */ }
  }

  var form = document.getElementById("observation-form");
  if (!form) { return; }
  var key = form.getAttribute("data-draft-key");
  var T = window.aqTexts("position-messages");
  var SKIP = { csrfmiddlewaretoken: 1, duplicates_seen: 1, photos: 1, personal_data_confirmed: 1 };

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "file" && el.type !== "submit" && el.type !== "button";
    });
  }

  function saveDraft() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } }
      else if (el.type === "checkbox") { data[el.name] = el.checked; }
      else { data[el.name] = el.value; }
    });
    try { localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), data: data })); } catch (e) { /* full or off */ }
  }

  function restoreDraft() {
    var raw;
    try { raw = localStorage.getItem(key); } catch (e) { return false; }
    if (!raw) { return false; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return false; }
    if (!draft || !draft.data || Date.now() - draft.savedAt > DRAFT_DAYS * 86400000) { return false; }
    var typed = draft.data.title || draft.data.description || draft.data.place;
    if (!typed) { return false; }
    fields().forEach(function (el) {
      if (!(el.name in draft.data)) { return; }
      var value = draft.data[el.name];
      if (el.type === "radio") { el.checked = el.value === value; }
      else if (el.type === "checkbox") { el.checked = !!value; }
      else { el.value = value; }
    });
    return true;
  }

  // A form sent back by the server (errors, duplicates) already holds what was typed.
  if (form.getAttribute("data-bound") !== "1" && restoreDraft()) {
    document.getElementById("draft-notice").classList.remove("d-none");
  }
  document.getElementById("draft-clear").addEventListener("click", function () {
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
    form.reset();
    document.getElementById("draft-notice").classList.add("d-none");
  });
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // With no network, offline.js keeps the submission on the phone (and clears the draft).
  form.addEventListener("submit", saveDraft);
  form.addEventListener("aq:form-reset", function () {
    lat.value = ""; lon.value = ""; status.textContent = ""; showPosition();
  });

  // Photos: five at most, said before sending.
  var photos = form.querySelector("input[type=file][name=photos]");
  if (photos) {
    photos.addEventListener("change", function () {
      if (photos.files.length > 5) {
        photos.setCustomValidity(T.text("photos_max"));
        photos.reportValidity();
        photos.value = "";
      } else { photos.setCustomValidity(""); }
    });
  }

  // Geolocation: read only when the agent presses the button (that is the consent).
  var add = document.getElementById("geo-add");
  var remove = document.getElementById("geo-remove");
  var status = document.getElementById("geo-status");
  var lat = form.querySelector("input[name=latitude]");
  var lon = form.querySelector("input[name=longitude]");
  function showPosition() {
    var has = lat.value && lon.value;
    remove.classList.toggle("d-none", !has);
    add.classList.toggle("d-none", !!has || !("geolocation" in navigator));
  }
  add.addEventListener("click", function () {
    status.textContent = T.text("locating");
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lon.value = pos.coords.longitude.toFixed(6);
      status.textContent = T.text("located", { metres: Math.round(pos.coords.accuracy) });
      showPosition(); saveDraft(); check();
      form.dispatchEvent(new CustomEvent("aq:point-changed"));
    }, function (err) {
      status.textContent = T.text(err.code === 1 ? "denied" : "unavailable");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
  remove.addEventListener("click", function () {
    lat.value = ""; lon.value = "";
    status.textContent = T.text("removed");
    showPosition(); saveDraft();
    form.dispatchEvent(new CustomEvent("aq:point-changed"));
  });
  // A point placed on the map (point-picker.js) or from an address (address-search.js).
  form.addEventListener("aq:point-placed", function (event) {
    status.textContent = (event.detail && event.detail.status) ||
      T.text("placed", { lat: lat.value, lon: lon.value });
    showPosition(); saveDraft(); check();
  });
  showPosition();

  // Live checks: personal data and possible duplicates, shown before saving.
  var checkUrl = form.getAttribute("data-check-url");
  var seen = form.querySelector("input[name=duplicates_seen]");
  var timer = null;
  var CHECKED = ["quartier", "category", "title", "description", "place", "latitude", "longitude"];
  function check() {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    CHECKED.forEach(function (name) {
      var el = form.elements[name];
      if (el) { body.append(name, el.value); }
    });
    fetch(checkUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("checks");
        var current = document.getElementById("checks");
        if (!fresh || !current) { return; }
        current.replaceWith(fresh);
        var ids = fresh.getAttribute("data-duplicate-ids");
        if (ids) { seen.value = ids; }
        // Personal data found: offer the confirmation box now, so no round trip loses the photos.
        var confirmBox = document.getElementById("personal-data-confirm");
        if (confirmBox && fresh.getAttribute("data-personal-data")) { confirmBox.classList.remove("d-none"); }
      })
      .catch(function () { /* offline: the server checks again when saving */ });
  }
  form.addEventListener("change", function (event) {
    if (CHECKED.indexOf(event.target.name) === -1) { return; }
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
})();
