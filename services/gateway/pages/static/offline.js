/* The committee member's pages offline: the service worker (sw.js) registered where the
 * browser allows one (a secure context: https, or localhost), this page kept for reading
 * offline, and the print button of the brief. Without a service worker the pages work as
 * before: the outbox (outbox.js) still keeps a visit sent offline. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    if (!("serviceWorker" in navigator)) { return; }
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register("/app/sw.js", {scope: "/app/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // read before the worker took charge: ask it to keep this page too
      if (!controlled) { registration.active.postMessage({keep: location.pathname + location.search}); }
      Array.prototype.forEach.call(document.querySelectorAll("[data-offline-ready]"),
        function (note) { note.hidden = false; });
    }).catch(function () { /* no worker: the outbox alone keeps visits */ });
  });
})();
