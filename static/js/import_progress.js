// Archive import page: poll the job's status until it finishes, then reload to show the outcome (DOMAIN M1).
(function () {
  var box = document.getElementById("import-job");
  if (!box || box.getAttribute("data-finished") === "1") { return; }
  var url = box.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        var bar = document.getElementById("import-progress");
        if (bar) { bar.value = job.progress; }
        var percent = document.getElementById("import-percent");
        if (percent) { percent.textContent = job.progress + "%"; }
        document.getElementById("import-status").textContent = job.label;
        if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
