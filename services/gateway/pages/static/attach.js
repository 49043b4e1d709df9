/* The visit form's files: the minutes on the visit, photos and documents on each concern.
 *
 * A photo is redrawn on the phone before anything is kept or sent: upright as the camera meant
 * (createImageBitmap's imageOrientation), at most limits.photo_side pixels on its longer side, as
 * JPEG at limits.photo_quality (numbers from pages/attach_form.py); a PDF or an Office file is
 * kept as it is. A file over the server's size limit, past the count per item or per visit, or
 * past what the phone keeps waiting (the budget the form states) is refused beside its field and
 * not kept. Kept files wait in IndexedDB (files.js); the draft names them by key, and the outbox
 * uploads them just before the visit (outbox.js).
 */
(function () {
  "use strict";
  var form, limits, words;

  function setup() {
    if (form) { return true; }
    form = document.getElementById("visit-form");
    if (!form || !form.dataset.attachLimits || !window.SausatFiles) { form = null; return false; }
    limits = JSON.parse(form.dataset.attachLimits);
    words = JSON.parse(form.dataset.attachWords);
    return true;
  }
  function say(key, values) {
    return Object.keys(values || {}).reduce(function (text, name) {
      return text.split("{" + name + "}").join(values[name]);
    }, words[key]);
  }
  function size(bytes) {  // as a person reads it, with the page's decimal mark
    var text = bytes >= 1e6 ? (bytes / 1e6).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1000)) + " KB";
    return document.documentElement.lang === "en" ? text : text.replace(".", ",");
  }
  function mint() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function boxOf(row) { return (row || document.getElementById("minutes")).querySelector("[data-attach]"); }
  function boxes() { return Array.prototype.slice.call(form.querySelectorAll("[data-attach]")); }
  function keptInForm() {
    return boxes().reduce(function (n, box) { return n + (box.kept || []).length; }, 0);
  }

  function render(box) {
    var list = box.querySelector("[data-attach-list]");
    list.textContent = "";
    (box.kept || []).forEach(function (file) {
      var item = document.createElement("li");
      item.appendChild(document.createTextNode(file.name + " (" + size(file.size) + ") "));
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "secondary"; remove.textContent = words.file_remove;
      remove.setAttribute("aria-label", words.file_remove + ": " + file.name);
      remove.addEventListener("click", function () {
        box.kept = box.kept.filter(function (f) { return f.key !== file.key; });
        window.SausatFiles.forget([file.key]).then(showBudget);
        render(box); saved();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
  }
  function refuse(box, messages) {
    var slot = box.querySelector("[data-attach-error]");
    slot.textContent = messages.join(" ");
    slot.hidden = !messages.length;
    var input = box.querySelector("[data-attach-input]");
    if (messages.length) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  }
  function saved() { form.dispatchEvent(new Event("change")); }  // visit.js keeps the draft
  function showBudget() {
    return window.SausatFiles.waitingBytes().then(function (used) {
      var note = document.getElementById("attach-budget");
      note.hidden = !used;
      note.textContent = used ? say("files_waiting", {used: size(used)}) : "";
      return used;
    });
  }

  function downscale(file) {
    return createImageBitmap(file, {imageOrientation: "from-image"}).then(function (bitmap) {
      var scale = Math.min(1, limits.photo_side / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a PNG's transparency on white, as on paper
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) { bitmap.close(); }
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error("no JPEG")); },
                      "image/jpeg", limits.photo_quality);
      });
    });
  }

  async function keep(box, chosen) {
    var refused = [];
    box.kept = box.kept || [];
    for (var i = 0; i < chosen.length; i++) {
      var file = chosen[i], name = file.name, blob = file;
      if (box.kept.length >= limits.per_item || keptInForm() >= limits.per_visit) {
        refused.push(say("files_too_many", {name: name})); continue;
      }
      if (/^image\//.test(file.type)) {
        try { blob = await downscale(file); } catch (e) { refused.push(say("file_unreadable", {name: name})); continue; }
        name = name.replace(/\.[^.]*$/, "") + ".jpg";
      }
      if (blob.size > limits.max_bytes) {
        refused.push(say("attach_too_large", {name: name, size: size(blob.size)})); continue;
      }
      var record = {key: mint(), name: name, size: blob.size, type: blob.type, blob: blob,
                    kept_at: new Date().toISOString()};
      try {
        var used = await window.SausatFiles.waitingBytes();
        if (used + blob.size > limits.budget_bytes) {
          refused.push(say("files_over_budget", {name: name, size: size(blob.size), used: size(used)}));
          continue;
        }
        await window.SausatFiles.put(record);
      } catch (e) {  // the phone would not keep it (no room, a private window)
        refused.push(say("file_unreadable", {name: name})); continue;
      }
      box.kept.push({key: record.key, name: name, size: blob.size});
    }
    render(box);
    refuse(box, refused);
    saved();
    showBudget();
  }

  // the visit form's draft names its files; the outbox's answer says which did not go
  function showRefused(detail) {
    var lines = (detail.files_refused || []).map(function (f) {
      return say("file_not_sent", {name: f.name, reason: f.reason});
    });
    (detail.attachments_refused || []).forEach(function (r) {
      var name = (detail.file_names || {})[r.attachment_id] || r.attachment_id;
      var code = r.reason && r.reason.code;
      lines.push(say("file_not_sent", {name: name, reason: code === "attachment_unknown"
        ? words.refused_unknown : words.refused_too_many}));
    });
    var box = document.getElementById("form-status");
    lines.forEach(function (line) {
      var p = document.createElement("span");
      p.className = "file-refused error";
      p.textContent = " " + line;
      box.appendChild(p);
    });
  }

  // nothing kept that no draft, waiting or refused visit names (a concern removed, a form left)
  function sweep() {
    var outbox = window.SausatOutbox, named = {};
    var payloads = [outbox.read(outbox.DRAFT, {}).payload].concat(
      outbox.pending().map(function (item) { return item.payload; }),
      outbox.read(outbox.REFUSED, []).map(function (item) { return item.payload; }));
    payloads.forEach(function (payload) {
      if (payload) { window.SausatFiles.keysOf(payload).forEach(function (key) { named[key] = true; }); }
    });
    return window.SausatFiles.all().then(function (records) {
      return window.SausatFiles.forget(records.map(function (r) { return r.key; })
        .filter(function (key) { return !named[key]; }));
    });
  }

  window.SausatVisitForm.extend({
    save: function (owner, row) {
      if (!setup()) { return; }
      var kept = boxOf(row).kept || [];
      if (kept.length) { owner.files = kept.slice(); }
    },
    fill: function (owner, row) {
      if (!setup()) { return; }
      var box = boxOf(row);
      box.kept = (owner.files || []).slice();
      render(box);
      refuse(box, []);
    },
    renumber: function (row, index) {
      if (!setup()) { return; }
      var id = "concerns." + index + ".attachments", box = boxOf(row);
      var input = box.querySelector("[data-attach-input]");
      input.id = id;
      input.setAttribute("aria-describedby", id + "-error");
      box.querySelector("[data-attach-label]").setAttribute("for", id);
      box.querySelector("[data-attach-error]").id = id + "-error";
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!setup()) { return; }
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("[data-attach-input]") || !input.files.length) { return; }
      var chosen = Array.prototype.slice.call(input.files);
      input.value = "";
      keep(input.closest("[data-attach]"), chosen);
    });
    window.SausatOutbox.onResult(function (kind, item, detail) {
      if (kind === "sent") { showRefused(detail || {}); }
      showBudget();
    });
    sweep().then(showBudget).catch(function () {});
  });
})();
