/* Entry fields editor: "Add a field" copies the last empty row with the next index. */
(function () {
  "use strict";
  var section = document.querySelector(".entry-fields-editor");
  if (!section) return;
  var button = section.querySelector("button.add-entry-field");
  var body = section.querySelector("tbody");
  if (!button || !body) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var rows = body.querySelectorAll("tr.entry-field-row");
    if (rows.length >= 20) return;
    var copy = rows[rows.length - 1].cloneNode(true);
    var next = rows.length;
    copy.querySelectorAll("input, select").forEach(function (el) {
      ["name", "id"].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v) el.setAttribute(attr, v.replace(/^entry_fields-\d+-/, "entry_fields-" + next + "-"));
      });
      if (el.type === "checkbox") el.checked = false;
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
    });
    body.appendChild(copy);
    var label = copy.querySelector("input[name$='-label']");
    if (label) label.focus();
  });
})();
