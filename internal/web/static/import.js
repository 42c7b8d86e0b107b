// The import page (/import/{id}) while a check or an import runs: polls
// the job's status every second, moves the progress bar and the rows per
// second, and reloads the page when the job has moved on. Without it the
// page's refresh link does the same.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status"), state = box.getAttribute("data-state");
  var bar = document.getElementById("import-bar"), percent = document.getElementById("import-percent");
  var rows = document.getElementById("import-rows"), rate = document.getElementById("import-rate");
  function show(s) {
    rows.textContent = s.rows;
    rate.textContent = Math.round(s.rows_per_second);
    if (s.fraction > 0) {
      bar.value = s.fraction;
      percent.textContent = Math.round(s.fraction * 100) + "%";
    }
  }
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) {
        if (s.state !== state) {
          window.location.reload();
          return;
        }
        show(s);
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 1000);
})();
