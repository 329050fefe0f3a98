/* Judging pages: score autosave with a live total, and the rubric editor.
 * No inline scripts (CSP): behaviour hangs off ids and data attributes.
 */
(function () {
  "use strict";

  // --- Score form: live total and autosave -----------------------------------
  var form = document.getElementById("score-form");
  if (form) {
    var totalEl = document.getElementById("score-total");
    var statusEl = document.getElementById("autosave-status");
    var inputs = form.querySelectorAll("input[type=number]");
    var timer = null;
    var dirty = false;

    var updateTotal = function () {
      var total = 0, complete = true;
      inputs.forEach(function (input) {
        var v = parseFloat(input.value);
        if (isNaN(v)) { complete = false; return; }
        total += v * parseFloat(input.getAttribute("data-weight") || "1");
      });
      totalEl.textContent = complete ? (Math.round(total * 100) / 100).toString() : "—";
    };

    var save = function () {
      timer = null;
      if (!dirty) return;
      dirty = false;
      var data = new FormData(form);
      data.set("action", "draft");
      statusEl.textContent = statusEl.getAttribute("data-saving") || "…";
      fetch(form.getAttribute("data-autosave"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Autosave": "1", "Accept": "application/json" }
      }).then(function (r) { return r.json(); }).then(function (json) {
        var now = new Date();
        var hh = ("0" + now.getHours()).slice(-2), mm = ("0" + now.getMinutes()).slice(-2);
        statusEl.textContent = json.ok ? json.message + " " + hh + ":" + mm : json.message;
        statusEl.classList.toggle("error", !json.ok);
      }).catch(function () { statusEl.classList.add("error"); });
    };

    form.addEventListener("input", function () {
      updateTotal();
      dirty = true;
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, 1500);
    });
    form.addEventListener("submit", function () { if (timer) window.clearTimeout(timer); dirty = false; });
    updateTotal();
  }

  // --- Rubric editor: add a blank row ----------------------------------------
  var add = document.getElementById("add-criterion");
  var rows = document.getElementById("rubric-rows");
  if (add && rows) {
    add.addEventListener("click", function () {
      var blank = rows.querySelector("tr.blank-row") || rows.querySelector("tr");
      if (!blank) return;
      var row = blank.cloneNode(true);
      var index = rows.querySelectorAll("tr").length;  // FieldList rows are criteria-<index>-<field>
      row.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/^criteria-\d+-/, "criteria-" + index + "-");
        input.id = input.name;
        input.value = /-(weight|step)$/.test(input.name) ? "1" : "";
      });
      rows.appendChild(row);
      row.querySelector("input").focus();
    });
  }
})();
