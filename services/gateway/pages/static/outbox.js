/* Visits kept on the phone until the gateway has them: once, never twice, never lost.
 *
 * A visit is queued in localStorage under its submission_id (minted when its form opened) and
 * sent to POST /app/visits; it leaves the queue only when the gateway answers 201 (logged) or
 * 200 (logged before: the same submission_id replayed), or refuses it (4xx: it goes back to the
 * form as a draft, with the refusal beside its fields). No answer, 5xx, 429 or 401 keep it for
 * the next try: when the connection returns, on every page load, and every 20 seconds.
 * Its files (photos, minutes) wait in IndexedDB (files.js) and are uploaded just before it;
 * the answer's `files_refused` names those the server would not take, with the reason.
 */
(function () {
  "use strict";
  var OUTBOX = "sausat.visit.outbox";
  var DRAFT = "sausat.visit.draft";
  var REFUSED = "sausat.visit.refused";
  var ROLLS = "sausat.members.rolls";  // the branches' members the form needs (roll.js)
  var listeners = [];
  var flushing = false;

  function read(key, fallback) {
    try { var value = JSON.parse(localStorage.getItem(key)); return value === null ? fallback : value; }
    catch (e) { return fallback; }
  }
  function write(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function pending() { return read(OUTBOX, []); }
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function words() {
    var form = document.getElementById("visit-form");
    var lang = document.documentElement.lang;
    if (form && form.dataset.words) { return JSON.parse(form.dataset.words); }
    return lang === "en"
      ? {pending_visits: "Visits waiting on this phone: {n}"}
      : {pending_visits: "Biên bản chờ gửi trên máy này: {n}"};
  }
  function emit(kind, item, detail) {
    listeners.forEach(function (listener) { listener(kind, item, detail); });
    showStatus();
  }
  function showStatus() {
    var status = document.getElementById("outbox-status");
    if (!status) { return; }
    var n = pending().length;
    status.hidden = n === 0;
    status.textContent = n ? words().pending_visits.replace("{n}", n) : "";
  }
  function remove(submissionId) {
    write(OUTBOX, pending().filter(function (item) { return item.submission_id !== submissionId; }));
  }

  function queue(payload) {
    var items = pending().filter(function (item) { return item.submission_id !== payload.submission_id; });
    items.push({submission_id: payload.submission_id, payload: payload, queued_at: new Date().toISOString()});
    write(OUTBOX, items);
    showStatus();
  }

  function send(payload) {
    return fetch("/app/visits", {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json"},
      body: JSON.stringify(payload)
    });
  }
  // the payload with its kept files uploaded first (files.js); throws {kind} to wait
  function prepare(item) {
    var files = window.SausatFiles;
    if (!files || !files.has(item.payload)) {
      return Promise.resolve({payload: item.payload, refused: [], names: {}});
    }
    var form = document.getElementById("visit-form");
    var said = form && form.dataset.attachWords ? JSON.parse(form.dataset.attachWords) : {};
    return files.prepare(item.payload, said.file_lost || "");
  }

  async function flush() {
    if (flushing) { return; }
    flushing = true;
    try {
      var items = pending();
      for (var i = 0; i < items.length; i++) {
        var item = items[i], response, body = {}, ready;
        try {
          ready = await prepare(item);
        } catch (e) {
          emit(e && e.kind === "signin" ? "signin" : "waiting", item, null);
          return;
        }
        try {
          response = await send(ready.payload);
        } catch (e) {
          emit("waiting", item, null);   // no connection: keep it, try again later
          return;
        }
        try { body = await response.json(); } catch (e) { body = {}; }
        if (response.status === 200 || response.status === 201) {
          remove(item.submission_id);
          body.files_refused = ready.refused;
          body.file_names = ready.names;
          if (window.SausatFiles) {  // logged: its files leave the phone, those refused named
            window.SausatFiles.notSent(body.visit_id, ready, body);
            await window.SausatFiles.forget(window.SausatFiles.keysOf(item.payload)).catch(function () {});
          }
          emit("sent", item, body);
        } else if (response.status === 401) {
          emit("signin", item, body);
          return;
        } else if (response.status >= 500 || response.status === 429 || response.status === 408) {
          emit("waiting", item, body);
          return;
        } else {
          // refused: kept for the form, with its errors, under the same submission_id
          var refused = read(REFUSED, []).filter(function (r) { return r.submission_id !== item.submission_id; });
          refused.push({submission_id: item.submission_id, payload: item.payload, errors: body});
          write(REFUSED, refused);
          remove(item.submission_id);
          emit("refused", item, body);
        }
      }
    } finally {
      flushing = false;
      showStatus();
    }
  }

  // signing out: the members kept for the form leave the phone, and the marks of a visit
  // not yet sent as well (a queued visit keeps its list, codes and marks only, to be sent)
  function forgetMembers() {
    localStorage.removeItem(ROLLS);
    var draft = read(DRAFT, null);
    if (draft && draft.payload && draft.payload.attendance) {
      delete draft.payload.attendance.members;
      write(DRAFT, draft);
    }
    write(REFUSED, read(REFUSED, []).map(function (r) {
      if (r.payload && r.payload.attendance) { delete r.payload.attendance.members; }
      return r;
    }));
  }
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute && event.target.getAttribute("action");
    if (action === "/app/sign-out") { forgetMembers(); }
  }, true);

  window.SausatOutbox = {
    queue: queue, flush: flush, pending: pending, DRAFT: DRAFT, REFUSED: REFUSED, ROLLS: ROLLS,
    read: read, write: write,
    onResult: function (listener) { listeners.push(listener); }
  };
  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () { showStatus(); flush(); });
  setInterval(function () { if (pending().length) { flush(); } }, 20000);
})();
