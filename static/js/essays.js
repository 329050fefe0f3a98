/* Essays: autosave of drafts, one-click submit, print, select-all, confirmations. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    if (input) return input.value;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function setupAutosave(form) {
    var url = form.getAttribute("data-autosave-url");
    if (!url || form.hasAttribute("data-no-autosave")) return;
    var status = form.querySelector(".autosave-status");
    var timer = null, dirty = false, saving = false;
    var entryId = form.getAttribute("data-entry-id") || "";

    function value(name) {
      var el = form.elements[name];
      return el ? el.value : "";
    }

    // The activity's own entry fields (inputs named xf_<key>) are saved with the draft.
    function extraFields() {
      var out = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.name.indexOf("xf_") === 0) out[el.name] = el.value;
      });
      return out;
    }

    function save() {
      if (saving || !dirty) return;
      saving = true; dirty = false;
      var body = JSON.stringify({
        token: value("token"), entry_id: entryId, title: value("title"),
        genre_id: value("genre_id"), group_id: value("group_id"), body: value("body"),
        fields: extraFields()
      });
      fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(form)},
        body: body
      }).then(function (r) { return r.json().catch(function () { return {ok: false}; }); })
        .then(function (data) {
          if (data.entry_id) entryId = String(data.entry_id);
          if (status && data.message) {
            status.textContent = data.message;
            status.classList.toggle("error", !data.ok);
          }
        })
        .catch(function () { dirty = true; })
        .then(function () { saving = false; });
    }

    form.addEventListener("input", function (ev) {
      if (ev.target && ev.target.type === "file") return;
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, 2000);
    });
    setInterval(save, 30000);
  }

  // The count by the chosen genre's rule and its limit ("480 / 3000 字"), as the
  // server counts it (wordcount.js) and the receipt shows it.
  function setupCounter(form) {
    var body = form.elements["body"], out = document.getElementById("word-counter");
    if (!body || !out || !window.ZpWordCount) return;
    var genres = JSON.parse(out.getAttribute("data-genres") || "{}");
    var genre = form.elements["genre_id"];
    function update() {
      var g = genres[genre ? genre.value : ""] || genres[""];
      if (!g) return;
      var n = window.ZpWordCount.count(body.value, g.rule);
      out.textContent = g.label.replace("{count}", n);
      out.classList.toggle("error", (g.max && n > g.max) || (g.min && n > 0 && n < g.min) || false);
    }
    body.addEventListener("input", update);
    if (genre) genre.addEventListener("change", update);
    update();
  }

  function setupSubmitOnce(form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector(".submit-once");
      if (button) {
        // Disable after the browser has taken the form data; the server
        // token still makes a resend harmless.
        setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  }

  document.querySelectorAll("form.essay-form").forEach(function (form) {
    setupAutosave(form);
    setupCounter(form);
    setupSubmitOnce(form);
  });

  document.querySelectorAll(".print-page").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll(".check-all").forEach(function (box) {
    box.addEventListener("change", function () {
      var form = box.closest("form");
      form.querySelectorAll('input[name="entry_ids"]').forEach(function (c) { c.checked = box.checked; });
    });
  });

  document.querySelectorAll("form.withdraw[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
})();
