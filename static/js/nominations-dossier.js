/* Nomination dossier: the draft saves itself (like essays' autosave); live character counts. */
(function () {
  "use strict";

  var han = /[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/g;
  var word = /[A-Za-z0-9]+(?:[.'\-][A-Za-z0-9]+)*/g;

  // An estimate while typing; the server's count (the essays 字数 rule) replaces it on save.
  function estimate(text) {
    return (text.match(han) || []).length + (text.replace(han, " ").match(word) || []).length;
  }

  function showCount(out, n) {
    var limit = parseInt(out.getAttribute("data-limit"), 10);
    out.textContent = out.textContent.replace(/\d+/, String(n));
    out.classList.toggle("error", limit && n > limit);
  }

  function setupCounts(form) {
    form.querySelectorAll(".word-count").forEach(function (out) {
      var field = form.elements[out.getAttribute("data-for")];
      if (!field) return;
      field.addEventListener("input", function () { showCount(out, estimate(field.value)); });
    });
  }

  function setupAutosave(form) {
    var url = form.getAttribute("data-autosave-url");
    if (!url) return;
    var status = form.querySelector(".autosave-status");
    var timer = null, dirty = false, saving = false;
    var nominationId = form.getAttribute("data-nomination-id") || "";

    function save() {
      if (saving || !dirty) return;
      saving = true; dirty = false;
      var data = new URLSearchParams(new FormData(form));
      data.delete("save"); data.delete("submit");
      data.set("nomination_id", nominationId);
      fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/x-www-form-urlencoded", "X-Requested-With": "fetch"},
        body: data.toString()
      }).then(function (r) { return r.json().catch(function () { return {ok: false}; }); })
        .then(function (data) {
          if (data.nomination_id) {
            nominationId = String(data.nomination_id);
            if (data.edit_url) form.setAttribute("action", data.edit_url);
          }
          if (data.counts) {
            form.querySelectorAll(".word-count").forEach(function (out) {
              var n = data.counts[out.getAttribute("data-for")];
              if (n !== undefined) showCount(out, n);
            });
          }
          if (status && data.message) {
            var extra = (data.warnings || []).join(" ");
            status.textContent = data.message + (extra ? " " + extra : "");
            status.classList.toggle("error", !data.ok);
          }
        })
        .catch(function () { dirty = true; })
        .then(function () { saving = false; });
    }

    form.addEventListener("input", function () {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, 2000);
    });
    form.addEventListener("change", function () { dirty = true; });
    setInterval(save, 30000);
  }

  document.querySelectorAll("form.dossier-form").forEach(function (form) {
    setupCounts(form);
    setupAutosave(form);
  });
})();
