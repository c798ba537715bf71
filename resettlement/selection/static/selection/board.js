// The selection board: polls the board data every second with If-None-Match (304 when nothing
// changed) and redraws. Shows order numbers and flats only, never names.
// Every value from the data goes into the page as text (textContent, attributes set through the
// DOM), never as markup: a flat's layout is free text from an imported register.
// The buildings fill the screen below the header: their text is as large as lets every building
// fit (never below 1.2rem, readable from the back of a hall); when they cannot all fit, the
// board shows them a page at a time and turns the page every PAGE_SECONDS ("第1/2页").
(function () {
  "use strict";
  const url = document.body.dataset.url;
  const labels = JSON.parse(document.getElementById("board-labels").textContent);
  const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  const SIZES = [1.8, 1.6, 1.5, 1.4, 1.3, 1.2]; // rem, largest first; the last is the minimum
  const PAGE_SECONDS = 10;
  const clockFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: labels.time_zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  let etag = null;
  let data = null;
  let shape = null; // what the layout depends on; refit only when it changes
  let pages = [[0, 0]];
  let current = 0;

  function node(tag, className, ...children) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.append(...children.map((child) => (child instanceof Node ? child : String(child))));
    return element;
  }

  function cell(flat, showLayout) {
    const [stairwell, floor, position, room, layout, status] = flat;
    const td = node("td", `f st-${status}`, node("span", "mark", data.marks[status]), room);
    if (showLayout) td.append(node("small", "", layout));
    td.dataset.room = `${stairwell}-${room}`;
    td.title = `${room} ${layout}`;
    return td;
  }

  function stairwellTable(number, flats) {
    const floors = {};
    const layouts = {};
    for (const flat of flats) {
      (floors[flat[1]] ||= {})[flat[2]] = flat;
      (layouts[flat[2]] ||= new Set()).add(flat[4]);
    }
    const columns = Object.keys(layouts).map(Number).sort((a, b) => a - b);
    // A column of one layout says it once, above the column; a mixed one in every flat.
    const uniform = Object.fromEntries(columns.map((p) => [p, layouts[p].size === 1]));
    const head = node("tr", "", node("th"));
    for (const position of columns) {
      head.append(node("th", "layout", uniform[position] ? [...layouts[position]][0] : ""));
    }
    const table = node("table", "", node("caption", "", format(labels.stairwell, { number })), node("thead", "", head));
    const body = node("tbody");
    for (const floor of Object.keys(floors).map(Number).sort((a, b) => b - a)) {
      const row = node("tr", "", node("th", "", floor));
      for (const position of columns) {
        const flat = floors[floor][position];
        row.append(flat ? cell(flat, !uniform[position]) : node("td"));
      }
      body.append(row);
    }
    table.append(body);
    return table;
  }

  function building(b) {
    const stairwells = {};
    for (const flat of b.flats) (stairwells[flat[0]] ||= []).push(flat);
    const box = node("div", "building", node("h3", "", b.code));
    box.dataset.building = b.code;
    for (const [number, flats] of Object.entries(stairwells)) box.append(stairwellTable(number, flats));
    return box;
  }

  // Paging: the buildings wrap in a box of the screen's remaining height; a page is the run of
  // buildings, in order, that fits in it.
  function inside(item, box) {
    const outer = box.getBoundingClientRect();
    const inner = item.getBoundingClientRect();
    return inner.bottom <= outer.bottom + 0.5 && inner.right <= outer.right + 0.5;
  }

  function paginate(box) {
    const items = [...box.children];
    const found = [];
    let start = 0;
    while (start < items.length) {
      items.forEach((item, index) => { item.hidden = index < start; });
      let end = start + 1; // a page holds at least one building
      while (end < items.length && inside(items[end], box)) end += 1;
      found.push([start, end]);
      start = end;
    }
    return found.length ? found : [[0, 0]];
  }

  // The largest text among those that need the fewest pages.
  function fit(box) {
    const counts = SIZES.map((size) => {
      box.style.setProperty("--flat-size", `${size}rem`);
      return paginate(box).length;
    });
    const size = SIZES[counts.indexOf(Math.min(...counts))];
    box.style.setProperty("--flat-size", `${size}rem`);
    pages = paginate(box);
  }

  function showPage() {
    const box = document.getElementById("buildings");
    current = current % pages.length;
    const [start, end] = pages[current];
    [...box.children].forEach((item, index) => { item.hidden = index < start || index >= end; });
    const indicator = document.getElementById("page");
    indicator.hidden = pages.length < 2;
    indicator.textContent = format(labels.page, { page: current + 1, pages: pages.length });
    document.body.dataset.page = String(current + 1);
    document.body.dataset.pages = String(pages.length);
  }

  // The text size is chosen again when the buildings, their flats or the screen change; a
  // change of statuses only redraws the current size's pages.
  function layout() {
    if (!data) return;
    const box = document.getElementById("buildings");
    const now = JSON.stringify([window.innerWidth, window.innerHeight, data.buildings.map((b) => [b.code, b.flats.map((f) => [f[0], f[1], f[2], f[4]])])]);
    if (now !== shape) {
      shape = now;
      fit(box);
    } else {
      pages = paginate(box);
    }
    showPage();
  }

  function render() {
    document.getElementById("serving").replaceChildren(
      ...(data.serving.length
        ? data.serving.map((s) => node("div", "now", node("span", "number", s.number), node("span", "desk", format(labels.desk, { number: s.desk }))))
        : [node("div", "now idle", "—")]),
    );
    document.getElementById("next").replaceChildren(...data.next.map((n) => node("span", "upcoming", n)));
    document.getElementById("waiting").textContent = data.status === "closed" ? labels.closed : format(labels.waiting, { count: data.waiting });
    document.getElementById("legend").replaceChildren(
      ...Object.entries(labels.statuses).map(([code, label]) =>
        node("span", `f st-${code}`, node("span", "mark", data.marks[code]), `${label} ${data.counts[code]}`),
      ),
    );
    document.getElementById("buildings").replaceChildren(...data.buildings.map(building));
    layout();
    document.getElementById("remaining").replaceChildren(
      node("tbody", "", ...data.remaining.map((r) => node("tr", "", node("td", "", r.layout), node("td", "n", r.count)))),
    );
    document.getElementById("updated").textContent = format(labels.updated, { time: data.at });
    document.body.dataset.version = (Number(document.body.dataset.version || 0) + 1).toString();
  }

  function tick() {
    document.getElementById("clock").textContent = clockFormat.format(new Date());
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: etag ? { "If-None-Match": etag } : {}, cache: "no-store" });
      if (response.status === 404 || response.status === 410) {
        window.location.reload();  // the link expired or was revoked: the page says so
        return;
      }
      if (response.status === 200) {
        etag = response.headers.get("ETag");
        data = await response.json();
        render();
      }
      if (document.body.classList.contains("offline") && data) {
        document.getElementById("updated").textContent = format(labels.updated, { time: data.at });
      }
      document.body.classList.remove("offline");
    } catch (error) {
      document.body.classList.add("offline");
      document.getElementById("updated").textContent = labels.offline;
    }
    setTimeout(poll, 1000);
  }

  tick();
  setInterval(tick, 1000);
  setInterval(() => {
    if (pages.length > 1) {
      current += 1;
      showPage();
    }
  }, PAGE_SECONDS * 1000);
  window.addEventListener("resize", layout);
  poll();
})();
