// The public maps (renovation/places/maps.py, templates/places/map.html). Each map's data comes
// from a json_script element, already in the tiles' datum: nothing is converted here. A map
// stays hidden until it is drawn and hides itself again, with a notice, when its tiles never
// load (no network, a wrong key): the page's list is always there.
(function () {
  "use strict";
  var GIVE_UP_MS = 12000;

  function popup(point, linkText) {
    var box = document.createElement("div");
    var title = document.createElement("span");
    title.className = "place-map__popup-title";
    title.textContent = point.title;
    box.appendChild(title);
    if (point.detail) {
      var detail = document.createElement("span");
      detail.className = "place-map__popup-detail";
      detail.textContent = point.detail;
      box.appendChild(detail);
    }
    if (point.url && point.url.charAt(0) !== "#") {
      var link = document.createElement("a");
      link.className = "place-map__popup-link";
      link.href = point.url;
      link.textContent = linkText;
      box.appendChild(link);
    }
    return box;
  }

  function layer(point) {
    var position = [point.lat, point.lng];
    if (point.kind === "issue") {
      return L.circleMarker(position, {
        radius: 9, color: "#7a2e00", weight: 2, fillColor: "#e8701a", fillOpacity: 0.9,
      });
    }
    return L.marker(position, { title: point.title, alt: point.title, keyboard: true });
  }

  function draw(figure) {
    var source = document.getElementById(figure.getAttribute("data-place-map"));
    var notice = document.querySelector('[data-place-map-notice="' + figure.getAttribute("data-place-map") + '"]');
    if (!source || !window.L) { return; }
    var data = JSON.parse(source.textContent);
    figure.hidden = false;  // Leaflet measures its container: draw it visible.
    L.Icon.Default.imagePath = figure.getAttribute("data-icon-path");
    var map = L.map(figure.querySelector(".place-map__canvas"), { scrollWheelZoom: false });
    var loaded = 0;
    var failed = 0;
    var gaveUp = false;
    function giveUp() {
      if (gaveUp || loaded > 0) { return; }
      gaveUp = true;
      map.remove();
      figure.hidden = true;
      if (notice) { notice.hidden = false; }
    }
    var base = L.tileLayer(data.tiles.url, {
      subdomains: data.tiles.subdomains || "abc",
      attribution: data.tiles.attribution,
      maxZoom: data.tiles.maxZoom,
    });
    base.on("tileload", function () { loaded += 1; figure.setAttribute("data-tiles", "loaded"); });
    base.on("tileerror", function () { failed += 1; });
    base.on("load", function () { if (loaded === 0 && failed > 0) { giveUp(); } });
    window.setTimeout(giveUp, GIVE_UP_MS);
    base.addTo(map);
    if (data.tiles.labels) {
      L.tileLayer(data.tiles.labels, { subdomains: data.tiles.subdomains || "abc", maxZoom: data.tiles.maxZoom }).addTo(map);
    }
    var bounds = [];
    data.points.forEach(function (point) {
      layer(point).bindPopup(popup(point, data.linkText)).addTo(map);
      bounds.push([point.lat, point.lng]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 16);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    }
  }

  // A map in a folded section (the project page's supervision) is drawn when it is first opened:
  // Leaflet measures its container, and no tile is fetched for a section nobody opens.
  function drawWhenShown(figure) {
    var folded = figure.closest("details");
    if (!folded || folded.open) { draw(figure); return; }
    folded.addEventListener("toggle", function opened() {
      if (!folded.open) { return; }
      folded.removeEventListener("toggle", opened);
      draw(figure);
    });
  }

  document.querySelectorAll("[data-place-map]").forEach(drawWhenShown);
})();
