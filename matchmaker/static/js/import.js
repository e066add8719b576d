// Polls an import's progress and reloads the page when it has finished.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("import-bar");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.state !== "running") { window.location.reload(); return; }
        if (s.total) { bar.max = s.total; bar.value = s.done; }
        window.setTimeout(poll, 600);
      })
      .catch(function () { window.setTimeout(poll, 1500); });
  }
  window.setTimeout(poll, 400);
})();
