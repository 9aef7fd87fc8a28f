// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});

// Job progress: poll the JSON status instead of reloading the page.
(function () {
  var box = document.getElementById("job");
  if (!box || box.hasAttribute("data-finished")) { return; }
  var id = box.getAttribute("data-job-id");
  function tick() {
    fetch("/jobs/" + id + "/status", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (j) {
      document.getElementById("job-progress").value = j.percent;
      document.getElementById("job-percent").textContent = j.percent + "% done";
      document.getElementById("job-status").textContent = j.status;
      document.getElementById("job-count").textContent = j.done.toLocaleString("en-US") + " of " + j.total.toLocaleString("en-US");
      document.getElementById("job-message").textContent = j.message || "";
      if (j.status === "succeeded" || j.status === "dead") { window.location.reload(); return; }
      setTimeout(tick, 700);
    }).catch(function () { setTimeout(tick, 2000); });
  }
  setTimeout(tick, 700);
})();
