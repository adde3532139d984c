// The observation form's optional map: a tap places the point (the hidden latitude and
// longitude fields stay the source of truth; "Ajouter ma position" and "Retirer la position"
// move or remove the marker). Pointer only and hidden from assistive technology: the place
// field and the position button do the same without it.
(function () {
  "use strict";
  var details = document.getElementById("point-picker");
  var element = document.getElementById("point-map");
  if (!details || !element || typeof L === "undefined") { return; }
  var form = element.closest("form");
  var config = JSON.parse(document.getElementById("point-picker-config").textContent);
  var lat = form.querySelector("input[name=latitude]");
  var lon = form.querySelector("input[name=longitude]");
  var quartier = form.querySelector("[name=quartier]");
  var map = null, marker = null, outlineLayer = null;

  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); }
    else { marker = L.circleMarker(latlng, { radius: 9, color: "#b03a2e", fillOpacity: 0.8, interactive: false }).addTo(map); }
  }
  function fromFields() {
    if (!map) { return; }
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (!isNaN(a) && !isNaN(b)) { place([a, b]); }
    else if (marker) { map.removeLayer(marker); marker = null; }
  }
  function showOutline() {
    if (outlineLayer) { map.removeLayer(outlineLayer); outlineLayer = null; }
    var outline = quartier && config.outlines[quartier.value];
    if (!outline) {
      var first = Object.keys(config.outlines)[0];
      outline = first && config.outlines[first];
    }
    if (outline) {
      outlineLayer = L.geoJSON(outline, { style: { color: "#1f4e79", weight: 2, fillOpacity: 0.05 }, interactive: false }).addTo(map);
      if (!marker) { map.fitBounds(outlineLayer.getBounds(), { padding: [10, 10] }); }
    }
  }
  function open() {
    if (map) { map.invalidateSize(); return; }
    map = L.map(element, { keyboard: false, zoomControl: false, attributionControl: false });
    if (config.tiles) { L.tileLayer(config.tiles, { maxZoom: 19 }).addTo(map); }
    map.setView([50.291, 2.777], 14);
    fromFields();
    showOutline();
    if (marker) { map.setView(marker.getLatLng(), 17); }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      place(event.latlng);
      form.dispatchEvent(new CustomEvent("aq:point-placed"));
    });
  }
  details.addEventListener("toggle", function () { if (details.open) { open(); } });
  form.addEventListener("aq:point-changed", fromFields);
  if (quartier) { quartier.addEventListener("change", function () { if (map) { showOutline(); } }); }
})();
