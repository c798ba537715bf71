// The desk console's countdown: the lock deadline comes from the server with each panel.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll(".countdown[data-deadline]").forEach((node) => {
      const left = Math.max(0, Math.round((Date.parse(node.dataset.deadline) - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      node.querySelector(".remaining").textContent = `${minutes}:${seconds}`;
      node.classList.toggle("urgent", left < 60);
      if (left === 0 && !node.dataset.expired) {
        node.dataset.expired = "1";
        htmx.ajax("GET", window.location.pathname, { target: "#desk-panel" });
      }
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
  tick();
})();
