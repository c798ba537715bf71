// The desk console: the lock countdown (its deadline comes from the server with each panel),
// which says once, aloud, when less than a minute is left; and the count of ticked flats on
// the lock button.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll(".countdown[data-deadline]").forEach((node) => {
      const left = Math.max(0, Math.round((Date.parse(node.dataset.deadline) - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      node.querySelector(".remaining").textContent = `${minutes}:${seconds}`;
      const urgent = left < 60;
      node.classList.toggle("urgent", urgent);
      const note = node.querySelector(".urgent-note");
      if (note && urgent !== Boolean(note.textContent)) note.textContent = urgent ? node.dataset.urgent : "";
      if (left === 0 && !node.dataset.expired) {
        node.dataset.expired = "1";
        htmx.ajax("GET", window.location.pathname, { target: "#desk-panel" });
      }
    });
  }

  function countTicked() {
    const count = document.getElementById("ticked-count");
    if (count) count.textContent = String(document.querySelectorAll("#offer input[name=flats]:checked").length);
  }

  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", () => { tick(); countTicked(); });
  document.addEventListener("change", (event) => {
    if (event.target.matches("#offer input[name=flats]")) countTicked();
  });
  tick();
  countTicked();
})();
