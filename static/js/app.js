/* Zhengping — small progressive enhancements shared by every page.
 *
 * The CSP forbids inline scripts, so behaviour hangs off data attributes:
 *   form[data-confirm]          ask before submitting
 *   .job[data-job-url]          poll a background job and show its progress
 *   form.once / form[data-once] disable submit buttons after the first submit
 *   table.stack                 label each cell with its column heading, so that
 *                               at phone width (rows shown as cards) every value
 *                               keeps its name (td[data-label], see app.css)
 * Every page works without this file; it only makes things nicer.
 */
(function () {
  "use strict";

  // --- 1. Confirmation before dangerous submissions --------------------------
  // Listening in the capture phase lets us cancel before the "once" handler
  // below disables the buttons.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // --- 3. Prevent double submission ------------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (!form.classList.contains("once") && !form.hasAttribute("data-once")) return;
    if (form.getAttribute("data-submitted") === "1") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitted", "1");
    // Disable after the browser has collected the form data, so the name/value
    // of the clicked submit button is still sent.
    window.setTimeout(function () {
      var buttons = form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]');
      Array.prototype.forEach.call(buttons, function (b) {
        b.disabled = true;
        b.setAttribute("aria-disabled", "true");
      });
    }, 0);
  });

  // A page restored from the back/forward cache must not keep its buttons dead.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submitted]"), function (form) {
      form.removeAttribute("data-submitted");
      Array.prototype.forEach.call(form.querySelectorAll("[aria-disabled=true]"), function (b) {
        b.disabled = false;
        b.removeAttribute("aria-disabled");
      });
    });
  });

  // --- 2. Live progress for background jobs ----------------------------------
  var POLL_MS = 1000;

  function setText(root, selector, text) {
    var el = root.querySelector(selector);
    if (el) el.textContent = text;
  }

  function watchJob(box) {
    var url = box.getAttribute("data-job-url");
    var bar = box.querySelector("progress");
    var errorBox = box.querySelector(".job-error");
    var doneBox = box.querySelector(".job-done");
    var link = box.querySelector(".job-download");
    var failures = 0;
    var timer = null;

    function apply(data) {
      var percent = Math.max(0, Math.min(100, Number(data.percent) || 0));
      if (bar) {
        bar.value = percent;
        bar.textContent = percent + "%";
      }
      setText(box, ".job-percent", percent + "%");
      setText(box, ".job-message", data.message || "");
      box.setAttribute("data-status", data.status || "");

      var failed = data.status === "failed" || Boolean(data.error);
      if (errorBox) {
        if (failed) {
          errorBox.textContent = data.error || errorBox.textContent;
          errorBox.hidden = false;
        } else {
          errorBox.hidden = true;
        }
      }
      box.classList.toggle("failed", failed);

      if (data.finished) {
        var target = data.download_url || data.result_url;
        if (!failed) box.classList.add("done");
        if (target && link) link.setAttribute("href", target);
        if (target && doneBox) doneBox.hidden = false;
        return true;
      }
      return false;
    }

    function poll() {
      fetch(url, {
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        cache: "no-store"
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(function (data) {
        failures = 0;
        if (!apply(data)) schedule(POLL_MS);
      }).catch(function () {
        // A dropped connection or restart should not end the display: back
        // off a little, and give up only after a long run of failures.
        failures += 1;
        if (failures < 30) schedule(POLL_MS * Math.min(failures, 5));
      });
    }

    function schedule(ms) {
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, ms);
    }

    poll();
  }

  // --- 4. Column headings as cell labels for stacked tables -------------------
  // A cell that already has data-label (set by the template) keeps it.
  function labelTable(table) {
    var heads = table.querySelectorAll("thead tr:last-child > th, thead tr:last-child > td");
    if (!heads.length) return;
    var labels = [];
    Array.prototype.forEach.call(heads, function (th) {
      var span = Number(th.getAttribute("colspan")) || 1;
      var text = (th.getAttribute("data-label") || th.textContent || "").replace(/\s+/g, " ").trim();
      for (var i = 0; i < span; i += 1) labels.push(text);
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && labels[col]) {
            cell.setAttribute("data-label", labels[col]);
          }
          // An empty cell takes no line of its own in a stacked row.
          if (!cell.textContent.trim() && !cell.querySelector("input, select, textarea, button, img, svg, progress")) {
            cell.classList.add("blank");
          }
          col += Number(cell.getAttribute("colspan")) || 1;
        });
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".job[data-job-url]"), watchJob);
    Array.prototype.forEach.call(document.querySelectorAll("table.stack"), labelTable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
