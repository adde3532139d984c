// Places a stop's point on a small map of the quartier (its outline, no tiles: nothing leaves
// the site). The latitude and longitude fields stay the source of truth, typed or clicked.
(function () {
  "use strict";
  var element = document.getElementById("stop-map");
  if (!element || typeof L === "undefined") { return; }
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var outline = JSON.parse(document.getElementById("walk-outline").textContent || "null");
  var others = JSON.parse(document.getElementById("walk-stops").textContent || "[]");
  var map = L.map(element, { attributionControl: false });
  var bounds = null;
  if (outline) {
    var layer = L.geoJSON(outline, { style: { color: "#1f4e79", weight: 2, fillOpacity: 0.08 } }).addTo(map);
    bounds = layer.getBounds();
  }
  var marker = null;
  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 8, color: "#b03a2e", fillOpacity: 0.8 }).addTo(map); }
  }
  function fromFields() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (!isNaN(a) && !isNaN(b)) { place([a, b]); return [a, b]; }
    return null;
  }
  var typed = [parseFloat(lat.value), parseFloat(lon.value)];
  var start = isNaN(typed[0]) || isNaN(typed[1]) ? null : typed;
  if (bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
  else if (start) { map.setView(start, 16); }
  else { map.setView([50.291, 2.777], 13); }
  // Markers once the map has its view (a circle added to a map with none throws).
  others.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], { radius: 5, color: "#6c757d" }).addTo(map);
  });
  fromFields();
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    place(event.latlng);
  });
  lat.addEventListener("change", fromFields);
  lon.addEventListener("change", fromFields);
  // An address chosen (observations/address-search.js): its point on the map, and said.
  var form = element.closest("form");
  var status = document.getElementById("geo-status");
  form.addEventListener("aq:point-changed", function () {
    var at = fromFields();
    if (at) { map.setView(at, Math.max(map.getZoom(), 16)); }
  });
  form.addEventListener("aq:point-placed", function (event) {
    if (status && event.detail && event.detail.status) { status.textContent = event.detail.status; }
  });
})();
