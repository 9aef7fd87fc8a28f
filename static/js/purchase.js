// Purchase page: the live price (the form is posted to the quote endpoint as
// the user types, with the chosen meter), the origin ZIP shown when a floating
// meter is chosen, filling the recipient from the address book, and the print
// page's Print button. Without this file "Get price" and the browser's own
// print command do the same.
(function () {
  var printButton = document.getElementById("print-button");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
  var form = document.getElementById("purchase-form");
  if (!form) { return; }
  var total = document.getElementById("price-total");
  var lines = document.getElementById("price-lines");
  var hint = document.getElementById("price-hint");
  var timer = null, seq = 0;

  function setHint(text) {
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "hint";
      hint.id = "price-hint";
      document.getElementById("live-price").appendChild(hint);
    }
    hint.textContent = text;
  }
  function show(q) {
    total.textContent = q.total;
    lines.textContent = "";
    q.lines.forEach(function (l) {
      var li = document.createElement("li");
      li.textContent = l.description + ": " + l.amount;
      lines.appendChild(li);
    });
    setHint(q.class_name + (q.where ? " · " + q.where : "") + " · to " + q.recipient.join(", "));
    var cc = document.getElementById("card-charge-live");
    if (q.card_charge) {
      if (!cc) {
        cc = document.createElement("p");
        cc.id = "card-charge-live";
        document.getElementById("live-price").appendChild(cc);
      }
      cc.textContent = q.card_charge;
    } else if (cc) {
      cc.remove();
    }
    var warn = document.getElementById("moved-live");
    if (q.moved) {
      if (!warn) {
        warn = document.createElement("p");
        warn.id = "moved-live";
        warn.className = "error-banner";
        document.getElementById("live-price").appendChild(warn);
      }
      warn.textContent = "This recipient has moved (" + q.moved.label + ", " + q.moved.effective + ")" +
        (q.moved.new_address ? ": new address " + q.moved.new_address : "") + ". Press \"Get price\" to choose.";
    } else if (warn) {
      warn.remove();
    }
  }
  function quote() {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(form));
    body.delete("action");
    fetch(form.getAttribute("data-quote-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": form.getAttribute("data-csrf") },
      body: body.toString()
    }).then(function (r) { return r.json(); }).then(function (r) {
      if (mine !== seq) { return; }
      if (r.error) {
        total.textContent = "—";
        lines.textContent = "";
        setHint(r.error.message);
        return;
      }
      show(r);
    }).catch(function () {});
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(quote, 350);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  // The meter choice: a floating meter needs the origin ZIP, the others print their own.
  var meter = document.getElementById("meter_id");
  var originField = document.getElementById("origin-zip-field");
  if (meter && originField) {
    var floating = (form.getAttribute("data-floating-meters") || "").split(" ");
    meter.addEventListener("change", function () {
      originField.hidden = floating.indexOf(meter.value) < 0;
    });
  }
  var book = document.getElementById("book_id");
  if (book) {
    book.addEventListener("change", function () {
      var o = book.options[book.selectedIndex];
      if (!o.value) { return; }
      form.elements.recipient_name.value = o.getAttribute("data-name") || "";
      form.elements.recipient_company.value = o.getAttribute("data-company") || "";
      form.elements.recipient_address.value = o.getAttribute("data-address") || "";
    });
  }
  if (form.elements.recipient_address.value) { quote(); }
})();
