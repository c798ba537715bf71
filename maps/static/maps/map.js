// The project progress map: villages as outlines, buildings as footprints (or points) coloured
// by phase, each phase with a numbered mark; a legend that filters; a popup per building.
// Data comes from the GeoJSON endpoints (revalidated with ETags); nothing is loaded from the
// internet unless a base-tile URL is configured.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const text = config.text;
  const styles = Object.fromEntries(config.legend.map((entry) => [entry.phase, entry]));
  const shown = new Set(config.legend.map((entry) => entry.phase));
  const etags = {};
  const cache = {};
  const element = document.getElementById("map");
  const projectSelect = document.getElementById("map-project");
  const toDisplay = config.tiles.crs === "gcj02" ? window.wgs84ToGcj02 : (lng, lat) => [lng, lat];

  const map = L.map(element, { preferCanvas: true, zoomSnap: 0.5 });
  map.attributionControl.setPrefix(false);
  if (config.tiles.url) {
    L.tileLayer(config.tiles.url, {
      attribution: config.tiles.attribution,
      subdomains: config.tiles.subdomains || "abc",
      maxZoom: config.tiles.max_zoom,
    }).addTo(map);
  }
  map.setView(config.center, config.zoom);

  const villageLayer = L.layerGroup().addTo(map);
  const buildingLayer = L.layerGroup().addTo(map);
  const labelLayer = L.layerGroup().addTo(map);
  let buildingFeatures = [];
  let fitted = false;

  // Values from the data go in as text through the DOM, never as markup.
  function node(tag, className, ...children) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.append(...children.map((child) => (child instanceof Node ? child : String(child ?? ""))));
    return element;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  }

  function shift(coordinates) {
    if (typeof coordinates[0] === "number") return toDisplay(coordinates[0], coordinates[1]);
    return coordinates.map(shift);
  }

  function displayed(feature) {
    if (!feature.geometry) return null;
    return { ...feature, geometry: { type: feature.geometry.type, coordinates: shift(feature.geometry.coordinates) } };
  }

  async function fetchGeoJSON(url) {
    const headers = { Accept: "application/geo+json" };
    if (etags[url]) headers["If-None-Match"] = etags[url];
    const response = await fetch(url, { headers, credentials: "same-origin" });
    if (response.status === 304) return cache[url];
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    etags[url] = response.headers.get("ETag");
    cache[url] = await response.json();
    return cache[url];
  }

  function popupContent(p) {
    const style = styles[p.phase];
    const facts = node("dl", "");
    const fact = (term, value) => facts.append(node("dt", "", term), node("dd", "", value));
    fact(text.stage, p.stage || text.all_complete);
    fact(text.progress, `${p.progress.toFixed(1)}%`);
    fact(text.flats, format(text.flat_counts, { total: p.flats, selected: p.flats_selected, handed_over: p.flats_handed_over }));
    fact(text.handed_over, String(p.flats_handed_over));
    fact(text.to_hand_over, String(p.flats_to_hand_over));
    fact(text.village, p.village || "—");
    const link = node("a", "", text.open_building);
    link.href = p.url;
    const box = node("div", "building-popup", node("h3", "", `${p.project_name} · ${p.code}`), node("div", "", node("span", `phase-chip phase-${p.phase}`, `${style.mark} ${style.label}`)), facts);
    if (p.days_late) box.append(node("div", "late", format(text.days_late, { days: p.days_late })));
    box.append(link);
    box.dataset.code = p.code;
    return box;
  }

  function renderVillages(collection) {
    villageLayer.clearLayers();
    const features = collection.features.map(displayed).filter(Boolean);
    L.geoJSON(features, {
      style: { color: "#2b3a4a", weight: 2, dashArray: "6 4", fill: true, fillOpacity: 0.04 },
      onEachFeature: (feature, layer) =>
        layer.bindTooltip(node("span", "", feature.properties.name), { permanent: true, direction: "top", className: "village-label" }),
      interactive: false,
    }).addTo(villageLayer);
  }

  // Zoomed out, footprints are specks: buildings are drawn as points at their centre instead.
  const POINTS_BELOW_ZOOM = 15;
  const LABELS_FROM_ZOOM = 16;
  const FIT_MAX_ZOOM = 20;
  let pointMode = null;

  function centre(geometry) {
    // Middle of the bounding box: enough to place a point or a label on a footprint.
    let west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
    (function visit(coordinates) {
      if (typeof coordinates[0] === "number") {
        west = Math.min(west, coordinates[0]); east = Math.max(east, coordinates[0]);
        south = Math.min(south, coordinates[1]); north = Math.max(north, coordinates[1]);
      } else coordinates.forEach(visit);
    })(geometry.coordinates);
    return [(west + east) / 2, (south + north) / 2];
  }

  function renderBuildings() {
    buildingLayer.clearLayers();
    pointMode = map.getZoom() < POINTS_BELOW_ZOOM;
    const visible = buildingFeatures.filter((feature) => shown.has(feature.properties.phase));
    const drawn = pointMode
      ? visible.map((feature) => ({ ...feature, geometry: { type: "Point", coordinates: feature.centre } }))
      : visible;
    L.geoJSON(drawn, {
      style: (feature) => ({ color: "#1f2933", weight: 1, fillColor: styles[feature.properties.phase].colour, fillOpacity: 0.9 }),
      pointToLayer: (feature, latlng) =>
        L.circleMarker(latlng, { radius: 6, color: "#1f2933", weight: 1, fillColor: styles[feature.properties.phase].colour, fillOpacity: 0.9 }),
      onEachFeature: (feature, layer) => {
        layer.bindPopup(() => popupContent(feature.properties), { maxWidth: 280 });
        layer.feature = feature;
      },
    }).addTo(buildingLayer);
    renderLabels();
    updateCounts();
    document.body.dataset.buildingsShown = String(visible.length);
  }

  function renderLabels() {
    labelLayer.clearLayers();
    if (map.getZoom() < LABELS_FROM_ZOOM) return;
    const bounds = map.getBounds();
    buildingLayer.eachLayer((group) =>
      group.eachLayer((layer) => {
        const center = layer.getBounds ? layer.getBounds().getCenter() : layer.getLatLng();
        if (!bounds.contains(center)) return;
        const style = styles[layer.feature.properties.phase];
        L.marker(center, {
          interactive: false,
          icon: L.divIcon({ className: "building-label", html: node("span", "", `${style.mark} ${layer.feature.properties.code}`), iconSize: null }),
        }).addTo(labelLayer);
      }),
    );
  }

  function updateCounts() {
    const counts = {};
    for (const feature of buildingFeatures) counts[feature.properties.phase] = (counts[feature.properties.phase] || 0) + 1;
    document.querySelectorAll("[data-phase-count]").forEach((element) => {
      element.textContent = counts[element.dataset.phaseCount] || 0;
    });
  }

  const NARROW_SCREEN = "(max-width: 640px)";  // as the phone layout of app.css
  const Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      // A <details>: folded by default on a phone, where it would cover the buildings; its
      // summary is a button to the keyboard and to screen readers.
      const box = L.DomUtil.create("details", "map-legend");
      box.open = !window.matchMedia(NARROW_SCREEN).matches;
      box.append(node("summary", "", text.legend));
      for (const entry of config.legend) {
        const checkbox = node("input");
        checkbox.type = "checkbox";
        checkbox.value = entry.phase;
        checkbox.checked = true;
        const count = node("span", "count", "0");
        count.dataset.phaseCount = entry.phase;
        box.append(node("label", "legend-row", checkbox, node("span", `swatch phase-${entry.phase}`, entry.mark), node("span", "", entry.label), " ", count));
      }
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      box.addEventListener("change", (event) => {
        if (event.target.checked) shown.add(event.target.value);
        else shown.delete(event.target.value);
        renderBuildings();
      });
      return box;
    },
  });
  new Legend().addTo(map);

  function query(url) {
    const project = projectSelect ? projectSelect.value : "";
    return project ? `${url}?project=${encodeURIComponent(project)}` : url;
  }

  async function load() {
    document.body.dataset.mapReady = "loading";
    const [villages, buildings] = await Promise.all([fetchGeoJSON(query(config.villages_url)), fetchGeoJSON(query(config.buildings_url))]);
    renderVillages(villages);
    buildingFeatures = buildings.features.map(displayed).filter(Boolean);
    buildingFeatures.forEach((feature) => { feature.centre = centre(feature.geometry); });
    renderBuildings();
    if (!fitted && buildingLayer.getLayers().length) {
      const bounds = L.featureGroup(buildingLayer.getLayers()).getBounds();
      // maxZoom: one building (or one point, zoomed out) has bounds of no size, which fit at
      // an infinite zoom without a tile layer to bound it.
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: FIT_MAX_ZOOM });
      fitted = true;
    }
    document.body.dataset.mapReady = "true";
    performance.mark("map-ready");
  }

  map.on("moveend", renderLabels);
  map.on("zoomend", () => {
    if ((map.getZoom() < POINTS_BELOW_ZOOM) !== pointMode) renderBuildings();
    else renderLabels();
  });
  if (projectSelect) {
    projectSelect.addEventListener("change", () => {
      fitted = false;
      const url = new URL(window.location.href);
      url.searchParams.set("project", projectSelect.value);
      window.history.replaceState(null, "", url);
      load();
    });
  }
  window.resettlementMap = { map, reload: load };
  load().catch((error) => {
    document.body.dataset.mapReady = "error";
    element.before(node("p", "errorlist", `${text.load_error} ${error.message}`));
  });
})();
