/* The call's notice editor: a small Markdown toolbar and a live preview rendered by the server
   (POST to data-preview-url with the form's CSRF token; the answer is HTML already cleaned by nh3). */
(function () {
  "use strict";

  function setup(editor) {
    var url = editor.getAttribute("data-preview-url");
    var form = editor.closest("form");
    var source = editor.querySelector("textarea");
    var pane = editor.querySelector(".notice-preview-pane");
    var preview = editor.querySelector(".notice-preview");
    var state = editor.querySelector(".notice-preview-state");
    var toolbar = editor.querySelector(".notice-toolbar");
    if (!url || !form || !source || !preview) return;
    var timer = null, sent = 0, shown = 0;

    function refresh() {
      var token = form.elements["csrf_token"] ? form.elements["csrf_token"].value : "";
      var body = new URLSearchParams();
      body.set("csrf_token", token);
      body.set("notice_source", source.value);
      var mine = ++sent;
      fetch(url, {method: "POST", credentials: "same-origin", body: body})
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.text();
        })
        .then(function (html) {
          if (mine < shown) return;  // an older answer arriving late
          shown = mine;
          preview.innerHTML = html;
          if (state) state.textContent = "";
        })
        .catch(function () {
          if (state) state.textContent = "!";
        });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    }

    function replaceSelection(make) {
      var start = source.selectionStart, end = source.selectionEnd;
      var before = source.value.slice(0, start), chosen = source.value.slice(start, end);
      var result = make(chosen, before);
      if (result === null) return;
      source.value = before + result.text + source.value.slice(end);
      source.focus();
      source.setSelectionRange(start + result.from, start + result.to);
      later();
    }

    function lineStart(before) {
      return before === "" || before.slice(-1) === "\n" ? "" : "\n";
    }

    var actions = {
      heading: function (chosen, before) {
        var lead = lineStart(before) + "## ", text = chosen || "";
        return {text: lead + text, from: lead.length, to: lead.length + text.length};
      },
      bold: function (chosen) {
        var text = chosen || "";
        return {text: "**" + text + "**", from: 2, to: 2 + text.length};
      },
      list: function (chosen, before) {
        var lines = (chosen || "").split("\n");
        var text = lineStart(before) + lines.map(function (line, i) { return (i + 1) + ". " + line; }).join("\n");
        return {text: text, from: text.length, to: text.length};
      },
      link: function (chosen, before, button) {
        var address = window.prompt(button.getAttribute("data-prompt") || "https://", "https://");
        if (!address) return null;
        var label = chosen || address;
        var text = "[" + label + "](" + address + ")";
        return {text: text, from: 1, to: 1 + label.length};
      }
    };

    if (toolbar) {
      toolbar.hidden = false;
      toolbar.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-md]");
        if (!button) return;
        var action = actions[button.getAttribute("data-md")];
        if (action) replaceSelection(function (chosen, before) { return action(chosen, before, button); });
      });
    }
    if (pane) pane.hidden = false;
    source.addEventListener("input", later);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".notice-editor[data-preview-url]").forEach(setup);
  });
})();
