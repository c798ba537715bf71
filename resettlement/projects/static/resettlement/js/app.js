// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const element = event.target;
  if (element.matches("[data-autosubmit]")) element.form.submit();
});
