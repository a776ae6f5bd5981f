// Small enhancements shared by the public pages. No inline handlers anywhere (the
// Content-Security-Policy forbids them): behaviour hangs off data attributes here.
(function () {
  // <select data-submit-on-change>: choosing submits its form (a <noscript> button does it otherwise).
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A form sent back with errors: the focus goes to its error summary (public/includes/error_summary.html),
  // so a screen reader reads what is wrong and a keyboard user tabs straight into the links to the fields.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
