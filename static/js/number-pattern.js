/* The certificate number pattern as a list of parts with a live example.
   The stored pattern keeps its text form ({code}-{year}-{level_no}{serial:04d});
   this editor reads it into parts, lets the organiser add, remove and move
   parts, writes the text back and shows the number the first certificate of
   the first level would get. Patterns with other formats stay text-only. */
(function () {
  "use strict";
  var box = document.getElementById("number-pattern");
  var input = document.querySelector('input[name="number_pattern"]');
  if (!box || !input) { return; }
  var codeInput = document.querySelector('input[name="activity_code"]');
  var config = JSON.parse(box.getAttribute("data-labels"));
  var list = document.getElementById("pattern-parts");
  var kind = document.getElementById("pattern-kind");
  var digits = document.getElementById("pattern-digits");
  var text = document.getElementById("pattern-text");
  var example = document.getElementById("pattern-example");
  var note = document.getElementById("pattern-note");
  var FIELDS = ["code", "year", "level", "level_no", "serial", "group"];
  var parts = [];

  function shanghaiYear() {
    try {
      return Number(new Intl.DateTimeFormat("en", {timeZone: "Asia/Shanghai", year: "numeric"}).format(new Date()));
    } catch (e) { return new Date().getFullYear(); }
  }

  function sample(name) {
    return {code: (codeInput && codeInput.value.trim()) || "ZW", year: shanghaiYear(), level: "first",
            level_no: 1, serial: 1, group: "A"}[name];
  }

  // "{code}-{serial:04d}" -> [{kind: "code"}, {kind: "text", text: "-"}, {kind: "serial", digits: 4}];
  // null when the pattern uses something the editor does not offer.
  function parse(pattern) {
    var out = [], i = 0, literal = "";
    function flush() { if (literal) { out.push({kind: "text", text: literal}); literal = ""; } }
    while (i < pattern.length) {
      var c = pattern[i];
      if (c === "{" && pattern[i + 1] === "{") { literal += "{"; i += 2; continue; }
      if (c === "}" && pattern[i + 1] === "}") { literal += "}"; i += 2; continue; }
      if (c === "}") { return null; }
      if (c !== "{") { literal += c; i += 1; continue; }
      var end = pattern.indexOf("}", i);
      if (end < 0) { return null; }
      var m = /^([a-z_]+)(?::(0(\d)d)?)?$/.exec(pattern.slice(i + 1, end));
      if (!m || FIELDS.indexOf(m[1]) < 0 || (m[2] && m[1] !== "serial")) { return null; }
      flush();
      out.push(m[1] === "serial" ? {kind: "serial", digits: m[3] ? Number(m[3]) : 1} : {kind: m[1]});
      i = end + 1;
    }
    flush();
    return out;
  }

  function serialise(ps) {
    return ps.map(function (p) {
      if (p.kind === "text") { return p.text.replace(/\{/g, "{{").replace(/\}/g, "}}"); }
      if (p.kind === "serial") { return p.digits > 1 ? "{serial:0" + p.digits + "d}" : "{serial}"; }
      return "{" + p.kind + "}";
    }).join("");
  }

  function render(ps) {
    return ps.map(function (p) {
      if (p.kind === "text") { return p.text; }
      var value = String(sample(p.kind));
      if (p.kind === "serial") { while (value.length < p.digits) { value = "0" + value; } }
      return value;
    }).join("");
  }

  function label(p) {
    if (p.kind === "text") { return config.parts.text + " “" + p.text + "”"; }
    if (p.kind === "serial") { return config.parts.serial + " · " + config.digits.replace("{n}", p.digits); }
    return config.parts[p.kind];
  }

  function button(text, title, onClick) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "btn small"; b.textContent = text; b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", onClick);
    return b;
  }

  function show() {
    list.textContent = "";
    parts.forEach(function (p, index) {
      var li = document.createElement("li");
      var span = document.createElement("span");
      span.textContent = label(p);
      li.appendChild(span);
      if (index > 0) { li.appendChild(button("←", config.left, function () { move(index, -1); })); }
      if (index < parts.length - 1) { li.appendChild(button("→", config.right, function () { move(index, 1); })); }
      li.appendChild(button("×", config.remove, function () { parts.splice(index, 1); write(); }));
      list.appendChild(li);
    });
    example.textContent = render(parts);
  }

  function write() {
    input.value = serialise(parts);
    input.dispatchEvent(new Event("input", {bubbles: true}));  // the certificate preview follows
    show();
  }

  function move(index, step) {
    var p = parts.splice(index, 1)[0];
    parts.splice(index + step, 0, p);
    write();
  }

  function read() {
    var parsed = parse(input.value);
    note.hidden = parsed !== null;
    note.textContent = parsed === null ? config.custom : "";
    box.classList.toggle("custom", parsed === null);
    if (parsed !== null) { parts = parsed; show(); } else { list.textContent = ""; example.textContent = ""; }
  }

  function toggleOptions() {
    box.querySelector(".pattern-digits").hidden = kind.value !== "serial";
    box.querySelector(".pattern-text").hidden = kind.value !== "text";
  }

  document.getElementById("pattern-add").addEventListener("click", function () {
    if (box.classList.contains("custom")) { parts = []; }
    if (kind.value === "text") {
      if (!text.value) { return; }
      parts.push({kind: "text", text: text.value});
    } else if (kind.value === "serial") {
      parts.push({kind: "serial", digits: Math.max(1, Math.min(8, Number(digits.value) || 1))});
    } else {
      parts.push({kind: kind.value});
    }
    box.classList.remove("custom"); note.hidden = true;
    write();
  });
  kind.addEventListener("change", toggleOptions);
  input.addEventListener("input", function (ev) { if (ev.isTrusted) { read(); } });
  if (codeInput) { codeInput.addEventListener("input", function () { if (!box.classList.contains("custom")) { show(); } }); }
  box.hidden = false;
  toggleOptions();
  read();
})();
