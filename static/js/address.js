// Live address check on the address form: as the user types, ask the server
// for the standardized address and offer "Use suggested" / "Keep mine".
// Without this file the form still works: the submit runs the same check.
(function () {
  var form = document.getElementById("address-form");
  if (!form) { return; }
  var box = document.getElementById("live-check");
  var decided = document.getElementById("decided");
  var names = ["line1", "line2", "city", "state", "zip"];
  var timer = null, seq = 0, last = null;

  function values() {
    var v = {};
    names.forEach(function (n) { v[n] = form.elements[n].value; });
    return v;
  }
  function hide() { box.hidden = true; }
  function show(r) {
    last = r;
    var text = document.getElementById("live-text");
    var warn = document.getElementById("live-warnings");
    text.textContent = "";
    (r.standardized.lines || []).forEach(function (l, i) {
      if (i > 0) { text.appendChild(document.createElement("br")); }
      text.appendChild(document.createTextNode(l));
    });
    warn.textContent = "";
    (r.warnings || []).forEach(function (w) {
      var li = document.createElement("li");
      li.textContent = w;
      warn.appendChild(li);
    });
    document.getElementById("live-checked").textContent = r.checked ? "Checked: " + r.checked : "";
    document.getElementById("live-use").hidden = !r.differs;
    document.getElementById("live-text").hidden = !r.differs;
    document.getElementById("live-title").textContent = r.differs ? "Suggested address" : "Please check this address";
    box.hidden = false;
  }
  function check() {
    var v = values();
    if (!v.line1 || (!v.zip && !(v.city && v.state))) { hide(); return; }
    var mine = ++seq;
    fetch(form.getAttribute("data-check-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.getAttribute("data-csrf") },
      body: JSON.stringify(v)
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (r) {
      if (mine !== seq || !r) { return; }
      if (r.needs_decision) { show(r); } else { hide(); }
    }).catch(function () {});
  }
  form.addEventListener("input", function (e) {
    if (names.indexOf(e.target.name) < 0) { return; }
    decided.value = "";
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  document.getElementById("live-use").addEventListener("click", function () {
    if (!last) { return; }
    names.forEach(function (n) { form.elements[n].value = last.suggested[n] || ""; });
    decided.value = "suggested";
    hide();
  });
  document.getElementById("live-keep").addEventListener("click", function () {
    decided.value = "mine";
    hide();
  });
})();
