// Handover forms on a phone: a field shown only for some answers (the re-inspection day of a
// refused flat, the readings of a flat handed over) is hidden and disabled otherwise, so the
// form posts only what it shows. <div data-show-when="result=refused">…</div>
(() => {
  const current = (form, name) => {
    const fields = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    for (const field of fields) {
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) return field.type === "checkbox" ? "on" : field.value;
      } else {
        return field.value;
      }
    }
    return "";
  };

  const update = (form) => {
    form.querySelectorAll("[data-show-when]").forEach((block) => {
      const [name, value] = block.dataset.showWhen.split("=");
      const shown = current(form, name) === value;
      block.hidden = !shown;
      block.querySelectorAll("input, select, textarea").forEach((field) => {
        field.disabled = !shown;
      });
    });
  };

  document.querySelectorAll("form").forEach((form) => {
    if (!form.querySelector("[data-show-when]")) return;
    update(form);
    form.addEventListener("change", () => update(form));
  });
})();
