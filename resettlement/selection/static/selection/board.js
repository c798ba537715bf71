// The selection board: polls the board data every second with If-None-Match (304 when nothing
// changed) and redraws. Shows order numbers and flats only, never names.
(function () {
  "use strict";
  const url = document.body.dataset.url;
  const labels = JSON.parse(document.getElementById("board-labels").textContent);
  const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  let etag = null;
  let data = null;

  function cell(flat) {
    const [stairwell, floor, position, room, layout, status] = flat;
    return `<td class="f st-${status}" data-room="${stairwell}-${room}" title="${room} ${layout}"><span class="mark">${data.marks[status]}</span>${room}<small>${layout}</small></td>`;
  }

  function building(b) {
    const stairwells = {};
    for (const flat of b.flats) (stairwells[flat[0]] ||= []).push(flat);
    let html = `<div class="building" data-building="${b.code}"><h3>${b.code}</h3>`;
    for (const [number, flats] of Object.entries(stairwells)) {
      const floors = {};
      const positions = new Set();
      for (const flat of flats) { (floors[flat[1]] ||= {})[flat[2]] = flat; positions.add(flat[2]); }
      const columns = [...positions].sort((a, b) => a - b);
      html += `<table><caption>${format(labels.stairwell, { number })}</caption>`;
      for (const floor of Object.keys(floors).map(Number).sort((a, b) => b - a)) {
        html += `<tr><th>${floor}</th>${columns.map((p) => (floors[floor][p] ? cell(floors[floor][p]) : "<td></td>")).join("")}</tr>`;
      }
      html += "</table>";
    }
    return html + "</div>";
  }

  function render() {
    document.getElementById("serving").innerHTML = data.serving.length
      ? data.serving.map((s) => `<div class="now"><span class="number">${s.number}</span><span class="desk">${format(labels.desk, { number: s.desk })}</span></div>`).join("")
      : "<div class=\"now idle\">—</div>";
    document.getElementById("next").innerHTML = data.next.map((n) => `<span class="upcoming">${n}</span>`).join("");
    document.getElementById("waiting").textContent = data.status === "closed" ? labels.closed : format(labels.waiting, { count: data.waiting });
    document.getElementById("legend").innerHTML = Object.entries(labels.statuses)
      .map(([code, label]) => `<span class="f st-${code}"><span class="mark">${data.marks[code]}</span>${label} ${data.counts[code]}</span>`).join("");
    document.getElementById("buildings").innerHTML = data.buildings.map(building).join("");
    document.getElementById("remaining").innerHTML = data.remaining.map((r) => `<tr><td>${r.layout}</td><td class="n">${r.count}</td></tr>`).join("");
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
