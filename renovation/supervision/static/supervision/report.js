// Site-issue report form (supervision/report.html). Progressive enhancement only: the form
// works without JavaScript. A file, not an inline script: the Content-Security-Policy allows
// scripts from our origin only.
(function () {
  var form = document.querySelector("[data-site-issue-report]");
  if (!form) { return; }
  var input = document.getElementById(form.dataset.photos);
  var count = document.querySelector("[data-photo-count]");
  if (input && count) {
    input.addEventListener("change", function () {
      count.textContent = input.files.length ? count.dataset.label + " " + input.files.length : "";
    });
  }
  var locate = document.querySelector("[data-locate]");
  var status = document.querySelector("[data-locate-status]");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = locate.dataset.finding;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById(form.dataset.latitude).value = pos.coords.latitude.toFixed(6);
        document.getElementById(form.dataset.longitude).value = pos.coords.longitude.toFixed(6);
        status.textContent = locate.dataset.found;
      }, function () { status.textContent = locate.dataset.failed; },
      { enableHighAccuracy: true, timeout: 10000 });
    });
  }
})();
