// The admin export page's 全选 box (templates/admin/import_export/export.html): django-import-export binds it
// with an inline onchange, which the Content Security Policy refuses, so it is bound here to the package's handler.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("select-all-toggle");
  if (toggle && typeof onSelectToggleChange === "function") {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
