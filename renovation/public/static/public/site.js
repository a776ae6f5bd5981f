// Small enhancements shared by the public pages. No inline handlers anywhere (the
// Content-Security-Policy forbids them): behaviour hangs off data attributes here.
(function () {
  // <select data-submit-on-change>: choosing submits its form (a <noscript> button does it otherwise).
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
