/* The files of visits kept on the phone (IndexedDB: localStorage cannot hold megabytes), until
 * the outbox (outbox.js) has sent the visit naming them.
 *
 * A visit's payload names its files as {key, name, size} in `files` (on the visit: the minutes;
 * on each concern); the bytes wait here under the key. Before the visit is posted, prepare()
 * uploads each file to POST /app/attachments (idempotent by content: a retry after a lost reply
 * stores nothing twice; the answered attachment_id is kept, so it is not even sent twice) and
 * answers the payload with `attachments` lists instead. A file the server refuses (a 400) is
 * left out with its reason, and the visit still goes. Once the visit is logged the files are
 * forgotten; signing out forgets them all (the service worker, sw.js, and here).
 */
(function () {
  "use strict";
  var DB = "sausat-files", STORE = "files";
  var NOT_SENT = "sausat.files.not_sent";  // {visit_id: [{name, reason} or {name, code}]}
  var opened = null;

  function open() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB, 1);
        request.onupgradeneeded = function () { request.result.createObjectStore(STORE, {keyPath: "key"}); };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { opened = null; reject(request.error); };
      });
    }
    return opened;
  }
  function run(mode, work) {  // work(store) → an IDBRequest or nothing; resolves with its result
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function put(record) { return run("readwrite", function (store) { return store.put(record); }); }
  function get(key) { return run("readonly", function (store) { return store.get(key); }); }
  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function forget(keys) {
    return run("readwrite", function (store) { keys.forEach(function (key) { store.delete(key); }); });
  }
  function clear() {
    localStorage.removeItem(NOT_SENT);
    return run("readwrite", function (store) { return store.clear(); });
  }
  function waitingBytes() {
    return all().then(function (records) {
      return records.reduce(function (sum, r) { return sum + r.size; }, 0);
    });
  }

  function lost() {  // the words when no form on this page carries them (as outbox.js does)
    return document.documentElement.lang === "en" ? "it is no longer on this phone."
      : "không còn trên máy này.";
  }
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function base64(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",")[1] || ""); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  // the file's attachment_id, or {refused: reason}; throws {kind: "waiting" | "signin"}
  async function upload(record) {
    if (record.attachment_id) { return record.attachment_id; }
    var response, body = {};
    try {
      response = await fetch("/app/attachments", {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json"},
        body: JSON.stringify({filename: record.name, content: await base64(record.blob)})});
    } catch (e) { throw {kind: "waiting"}; }
    try { body = await response.json(); } catch (e) { body = {}; }
    if (response.status === 200 || response.status === 201) {
      record.attachment_id = body.attachment_id;
      await put(record);
      return body.attachment_id;
    }
    if (response.status === 401) { throw {kind: "signin"}; }
    if ([400, 413, 415, 422].indexOf(response.status) < 0) { throw {kind: "waiting"}; }
    var fields = body.fields || {};
    return {refused: fields.file || fields.filename || fields.content || body.message || ""};
  }

  function listsOf(payload) {  // [owner of a `files` list], the visit first
    return [payload].concat(payload.concerns || []).filter(function (o) { return o.files; });
  }
  function keysOf(payload) {
    var keys = [];
    listsOf(payload).forEach(function (owner) { owner.files.forEach(function (f) { keys.push(f.key); }); });
    return keys;
  }

  /* The payload to post: each file uploaded, named by its attachment_id. Answers
   * {payload, refused: [{name, reason}], names: {attachment_id: name}}. */
  async function prepare(payload, lostWords) {
    var ready = JSON.parse(JSON.stringify(payload)), refused = [], names = {};
    var owners = listsOf(ready);
    for (var i = 0; i < owners.length; i++) {
      var ids = [], files = owners[i].files;
      for (var j = 0; j < files.length; j++) {
        // no store on this phone (a private window): the file is lost, the visit still goes
        var record = await get(files[j].key).catch(function () { return null; });
        var answer = record ? await upload(record) : {refused: lostWords || lost()};
        if (typeof answer === "string") { ids.push(answer); names[answer] = files[j].name; }
        else { refused.push({name: files[j].name, reason: answer.refused}); }
      }
      delete owners[i].files;
      if (ids.length) { owners[i].attachments = ids; }
    }
    return {payload: ready, refused: refused, names: names};
  }

  /* The files a logged visit went without, kept for its page (the visit may have been sent
   * from another page, when the signal returned): refused at upload with the server's words,
   * or left out of the visit (attachments_refused) with a reason code. */
  function notSent(visitId, ready, answer) {
    var files = ready.refused.concat((answer.attachments_refused || []).map(function (r) {
      return {name: ready.names[r.attachment_id] || r.attachment_id, code: (r.reason || {}).code};
    }));
    if (!files.length || !visitId) { return; }
    var kept = {};
    try { kept = JSON.parse(localStorage.getItem(NOT_SENT)) || {}; } catch (e) { kept = {}; }
    kept[visitId] = files;
    var ids = Object.keys(kept);
    ids.slice(0, Math.max(0, ids.length - 20)).forEach(function (id) { delete kept[id]; });
    localStorage.setItem(NOT_SENT, JSON.stringify(kept));
  }
  function showNotSent() {  // on the visit's page: <ul id="files-not-sent" data-visit-id data-words>
    var list = document.getElementById("files-not-sent");
    if (!list) { return; }
    var kept = {};
    try { kept = JSON.parse(localStorage.getItem(NOT_SENT)) || {}; } catch (e) { kept = {}; }
    var words = JSON.parse(list.dataset.words);
    (kept[list.dataset.visitId] || []).forEach(function (file) {
      var item = document.createElement("li");
      var reason = file.code ? (words[file.code] || words.invalid) : file.reason;
      item.textContent = words.file_not_sent.split("{name}").join(file.name).split("{reason}").join(reason);
      list.appendChild(item);
    });
    list.hidden = !list.children.length;
  }
  document.addEventListener("DOMContentLoaded", showNotSent);

  window.SausatFiles = {
    put: put, get: get, all: all, forget: forget, clear: clear, waitingBytes: waitingBytes,
    prepare: prepare, keysOf: keysOf, notSent: notSent,
    has: function (payload) { return keysOf(payload).length > 0; }
  };
  // signing out: nothing of this user's files stays on the phone (sw.js clears them too)
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute && event.target.getAttribute("action");
    if (action === "/app/sign-out") { clear().catch(function () {}); }
  }, true);
})();
