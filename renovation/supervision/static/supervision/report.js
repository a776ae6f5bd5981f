// Site-issue report form (supervision/report.html). Progressive enhancement only: the form
// works without JavaScript. A file, not an inline script: the Content-Security-Policy allows
// scripts from our origin only (and previews from blob: URLs, img-src in settings/base.py).
(function () {
  var form = document.querySelector("[data-site-issue-report]");
  if (!form) { return; }
  var input = document.getElementById(form.dataset.photos);
  var count = document.querySelector("[data-photo-count]");
  var preview = document.querySelector("[data-photo-preview]");
  var previewUrls = [];

  // Thumbnails of the chosen photos, so the supervisor sees what will be sent before sending.
  // A format the browser cannot draw (HEIC on most phones) shows its file name instead.
  function showPreview() {
    previewUrls.forEach(function (url) { URL.revokeObjectURL(url); });
    previewUrls = [];
    preview.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.className = "photo-preview__item";
      var name = document.createElement("span");
      name.className = "photo-preview__name";
      name.textContent = file.name;
      if (/^image\//.test(file.type) && window.URL && URL.createObjectURL) {
        var url = URL.createObjectURL(file);
        previewUrls.push(url);
        var img = document.createElement("img");
        img.className = "photo-preview__image";
        img.alt = file.name;
        img.addEventListener("error", function () { img.remove(); });
        img.src = url;
        item.appendChild(img);
      }
      item.appendChild(name);
      preview.appendChild(item);
    });
  }

  if (input) {
    input.addEventListener("change", function () {
      if (count) {
        count.textContent = input.files.length ? count.dataset.label + " " + input.files.length : "";
      }
      if (preview) { showPreview(); }
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
