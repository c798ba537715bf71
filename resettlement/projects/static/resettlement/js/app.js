// Small progressive enhancements; every page works without them. Behaviour comes from data-
// attributes (the Content-Security-Policy allows no inline script or handler).
document.addEventListener("change", (event) => {
  const element = event.target;
  if (element.matches("[data-autosubmit]")) element.form.submit();
});

document.addEventListener("click", (event) => {
  // A quick-value button fills its form's field: <button data-fill="percent" data-value="50">.
  const fill = event.target.closest("button[data-fill]");
  if (fill) {
    const field = fill.form && fill.form.elements.namedItem(fill.dataset.fill);
    if (field) field.value = fill.dataset.value;
    return;
  }
  // "Select all" ticks every box of its form's group: <button data-select-all="buildings">.
  const selectAll = event.target.closest("button[data-select-all]");
  if (selectAll && selectAll.form) {
    selectAll.form.querySelectorAll(`input[type=checkbox][name="${CSS.escape(selectAll.dataset.selectAll)}"]`).forEach((box) => {
      box.checked = true;
    });
  }
});
