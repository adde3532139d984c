// The observation list as a map: the points of the list's observations in the visible area,
// clustered; the quartier outlines drawn; tiles only when a tile server is configured (with
// none, or none reachable, the outlines and the points still draw).
(function () {
  "use strict";
  var element = document.getElementById("obs-map");
  if (!element || typeof L === "undefined") { return; }
  var config = JSON.parse(document.getElementById(element.dataset.mapConfig).textContent);
  var status = document.getElementById("obs-map-status");
  var T = window.aqTexts(config.messages);
  var map = L.map(element, { attributionControl: Boolean(config.tiles) });
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  }
  var bounds = L.latLngBounds([]);
  (config.outlines || []).forEach(function (item) {
    var layer = L.geoJSON(item.outline, {
      style: { color: "#1f4e79", weight: 2, fillOpacity: 0.05 },
      interactive: false
    }).addTo(map);
    bounds.extend(layer.getBounds());
  });
  var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(cluster);

  function icon(confidential) {
    return L.divIcon({
      className: "obs-marker" + (confidential ? " obs-marker-confidential" : ""),
      iconSize: [16, 16]
    });
  }
  function popup(feature) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = config.detail.replace("/0/", "/" + feature.id + "/");
    link.textContent = feature.properties.t;
    var meta = document.createElement("div");
    meta.className = "small";
    meta.textContent = feature.properties.c + " · " + feature.properties.s;
    box.appendChild(link);
    box.appendChild(meta);
    return box;
  }
  var controller = null;
  function load(fit) {
    var url = config.points + (config.points.indexOf("?") < 0 ? "?" : "&");
    if (!fit) {
      var b = map.getBounds();
      url += "bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
    }
    if (controller) { controller.abort(); }
    controller = new AbortController();
    fetch(url, { credentials: "same-origin", signal: controller.signal })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        cluster.clearLayers();
        var markers = data.features.map(function (feature) {
          var c = feature.geometry.coordinates;
          return L.marker([c[1], c[0]], { icon: icon(feature.properties.k), title: feature.properties.t, keyboard: false })
            .bindPopup(popup(feature));
        });
        cluster.addLayers(markers);
        element.dataset.points = String(markers.length);
        status.textContent = T.plural(markers.length, data.truncated ? "truncated" : "count");
        if (fit && markers.length && !bounds.isValid()) {
          map.fitBounds(L.featureGroup(markers).getBounds(), { padding: [20, 20], maxZoom: 16 });
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") { status.textContent = T.text("failed"); }
      });
  }
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [10, 10] });
    load(false);
  } else {
    map.setView([50.291, 2.777], 13);
    load(true);
  }
  map.on("moveend", function () { load(false); });
})();
