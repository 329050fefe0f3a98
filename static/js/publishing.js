/* Live preview of the certificate template: the form is sent (without the seal
   file) to the preview endpoint, which renders the same page partial the PDF uses. */
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  var preview = document.getElementById("cert-preview");
  if (!form || !preview) { return; }
  var missingBox = document.getElementById("preview-missing");
  var messages = document.getElementById("preview-messages");
  var timer = null;

  function refresh() {
    var data = new FormData(form);
    data.delete("seal");
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-Requested-With": "fetch"}
    }).then(function (r) { return r.json(); }).then(function (out) {
      if (messages) { messages.textContent = ""; }
      if (out.errors && out.errors.length) {
        var p = document.createElement("p");
        p.className = "flash flash-error";
        p.textContent = out.errors.join(" ");
        messages.appendChild(p);
        return;
      }
      preview.innerHTML = out.html;  // server-rendered, autoescaped template
      if (missingBox) {
        missingBox.hidden = !out.missing.length;
        missingBox.querySelector("span").textContent = out.missing.join("、");
      }
    }).catch(function () { /* keep the last good preview */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 100);
  });
})();
