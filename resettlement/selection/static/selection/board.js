// The selection board: polls the board data every second with If-None-Match (304 when nothing
// changed) and redraws. Shows order numbers and flats only, never names.
// Every value from the data goes into the page as text (textContent, attributes set through the
// DOM), never as markup: a flat's layout is free text from an imported register.
(function () {
  "use strict";
  const url = document.body.dataset.url;
  const labels = JSON.parse(document.getElementById("board-labels").textContent);
  const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  let etag = null;
  let data = null;

  function node(tag, className, ...children) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.append(...children.map((child) => (child instanceof Node ? child : String(child))));
    return element;
  }

  function cell(flat) {
    const [stairwell, floor, position, room, layout, status] = flat;
    const td = node("td", `f st-${status}`, node("span", "mark", data.marks[status]), room, node("small", "", layout));
    td.dataset.room = `${stairwell}-${room}`;
    td.title = `${room} ${layout}`;
    return td;
  }

  function stairwellTable(number, flats) {
    const floors = {};
    const positions = new Set();
    for (const flat of flats) {
      (floors[flat[1]] ||= {})[flat[2]] = flat;
      positions.add(flat[2]);
    }
    const columns = [...positions].sort((a, b) => a - b);
    const table = node("table", "", node("caption", "", format(labels.stairwell, { number })));
    for (const floor of Object.keys(floors).map(Number).sort((a, b) => b - a)) {
      const row = node("tr", "", node("th", "", floor));
      for (const position of columns) {
        const flat = floors[floor][position];
        row.append(flat ? cell(flat) : node("td"));
      }
      table.append(row);
    }
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
    document.getElementById("remaining").replaceChildren(
      node("tbody", "", ...data.remaining.map((r) => node("tr", "", node("td", "", r.layout), node("td", "n", r.count)))),
    );
    document.getElementById("clock").textContent = data.at;
    document.body.dataset.version = (Number(document.body.dataset.version || 0) + 1).toString();
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
      document.body.classList.remove("offline");
    } catch (error) {
      document.body.classList.add("offline");
      document.getElementById("clock").textContent = labels.offline;
    }
    setTimeout(poll, 1000);
  }
  poll();
})();
