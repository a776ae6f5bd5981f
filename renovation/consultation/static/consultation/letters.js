// Invitation letters print view: the toolbar's print button (no inline handler: CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
