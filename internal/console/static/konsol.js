// Layanan console: the entry editor's preview follows the text as staff
// type (the server renders it; nothing is saved until "Simpan").
(function () {
  var form = document.getElementById("entry-form");
  var text = document.getElementById("text");
  var preview = document.getElementById("preview");
  if (!form || !text || !preview || text.readOnly) {
    return;
  }
  var timer = null;
  var seq = 0;
  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var mine = ++seq;
      var data = new FormData(form);
      data.set("action", "preview");
      // form.action would be the buttons named "action"; read the attribute.
      fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(data), headers: { "X-Preview": "1" }, credentials: "same-origin" })
        .then(function (r) { return r.ok || r.status === 422 ? r.text() : null; })
        .then(function (html) {
          if (html !== null && mine === seq) {
            preview.innerHTML = html; // the server's own, escaped markup
          }
        })
        .catch(function () {});
    }, 500);
  });
})();
