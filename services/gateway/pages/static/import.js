/* The import page: the chosen file is read in the browser into base64 and sent as JSON to
 * POST /app/admin/imports (what POST /imports takes); on 202 the browser goes to the
 * import's progress page. A refusal is shown beside the file field. */
(function () {
  "use strict";
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("import-form");
    if (!form) { return; }
    var words = JSON.parse(form.dataset.words);
    var maxBytes = parseInt(form.dataset.maxBytes, 10);
    var input = document.getElementById("file");
    var slot = document.getElementById("file-error");
    var box = document.getElementById("import-status");
    var button = document.getElementById("start-import");

    function status(text, kind) { box.hidden = !text; box.className = "notice " + (kind || ""); box.textContent = text || ""; }
    function refuse(message) {
      slot.textContent = message; slot.hidden = false;
      input.setAttribute("aria-invalid", "true"); input.focus();
      status("", ""); button.disabled = false;
    }
    function send(file, content) {
      var body = {filename: file.name, content_base64: content,
                  accept_valid_rows: document.getElementById("accept_valid_rows").checked};
      fetch("/app/admin/imports", {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json"},
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (answer) { return [response.status, answer]; },
                                     function () { return [response.status, {}]; });
      }).then(function (result) {
        var code = result[0], answer = result[1];
        if (code === 202) { window.location.assign(answer.url); return; }
        if (code === 401) { status(words.session_expired, "error"); button.disabled = false; return; }
        if (code >= 500) { status(words.unavailable, "error"); button.disabled = false; return; }
        var fields = answer.fields || {};
        var said = Object.keys(fields).map(function (name) { return fields[name]; });
        refuse(words.import_refused + " " + (said.length ? said.join(" ") : answer.message));
      }, function () { status(words.unavailable, "error"); button.disabled = false; });
    }

    input.addEventListener("change", function () { slot.hidden = true; input.removeAttribute("aria-invalid"); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      slot.hidden = true; input.removeAttribute("aria-invalid");
      var file = input.files[0];
      if (!file) { refuse(words.choose_file_first); return; }
      if (file.size > maxBytes) { refuse(words.file_too_large); return; }
      button.disabled = true;
      status(words.uploading, "");
      var reader = new FileReader();
      reader.onload = function () { send(file, String(reader.result).split(",")[1] || ""); };
      reader.onerror = function () { refuse(words.choose_file_first); };
      reader.readAsDataURL(file);
    });
  });
})();
