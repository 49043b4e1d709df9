/* The committee member's app shell, kept on the phone: the visit form, its scripts and the
 * last branch briefs read open without a connection, in a meeting hall without signal.
 *
 * Served at /app/sw.js so that its scope covers the cadre's pages (/app/); registered by
 * offline.js, in a secure context only (https, or localhost). Pages are fetched from the
 * network first and kept when they arrive whole (200, not redirected to the sign-in page);
 * offline, the kept copy answers (the form for any ?unit_id= when that one was not kept).
 * Sending a visit never goes through here: the outbox (outbox.js) keeps it until it is logged.
 * Signing out (or the sign-in page, whoever comes next) forgets the kept pages; signing out
 * forgets the files waiting to be sent too (files.js; not at the sign-in page: a cadre whose
 * session ran out signs in again to send them).
 */
"use strict";
var SHELL = "sausat-shell-1";
var PAGES = "sausat-pages-1";
var FORM = "/app/visits/new";
var ASSETS = ["/app/static/app.css", "/app/static/outbox.js", "/app/static/visit.js",
              "/app/static/offline.js", "/app/static/files.js", "/app/static/attach.js",
              "/app/static/roll.js"];
// the pages kept for reading offline: the visit form, my units, a branch's brief
var KEPT = [/^\/app\/visits\/new$/, /^\/app\/units$/, /^\/app\/units\/[^/]+\/brief$/];
var MAX_PAGES = 30;

function forgetFiles() {  // the store files.js keeps, if this phone has one
  return new Promise(function (resolve) {
    var request = indexedDB.open("sausat-files", 1);
    request.onupgradeneeded = function () { request.result.createObjectStore("files", {keyPath: "key"}); };
    request.onsuccess = function () {
      var tx = request.result.transaction("files", "readwrite");
      tx.objectStore("files").clear();
      tx.oncomplete = tx.onerror = tx.onabort = function () { request.result.close(); resolve(); };
    };
    request.onerror = function () { resolve(); };
  });
}

function kept(url) {
  return url.origin === self.location.origin &&
    KEPT.some(function (pattern) { return pattern.test(url.pathname); });
}

function keep(cacheName, request, response) {
  if (!response.ok || response.redirected || response.type !== "basic") { return Promise.resolve(); }
  return caches.open(cacheName).then(function (cache) {
    return cache.put(request, response).then(function () { return prune(cache); });
  });
}

function prune(cache) {  // the oldest kept pages go first
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (key) {
      return cache.delete(key);
    }));
  });
}

function fetchAndKeep(url) {
  return fetch(url, {credentials: "same-origin", redirect: "follow", cache: "no-store"})
    .then(function (response) { return keep(PAGES, url, response); })
    .catch(function () { /* offline now: kept when next read */ });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return fetchAndKeep(FORM); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== SHELL && name !== PAGES; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// a page read before this worker took charge asks to be kept (offline.js)
self.addEventListener("message", function (event) {
  var url = event.data && event.data.keep && new URL(event.data.keep, self.location.origin);
  if (url && kept(url)) { event.waitUntil(fetchAndKeep(url.pathname + url.search)); }
});

function networkFirst(request, cacheName, fallback) {
  return fetch(request).then(function (response) {
    var copy = response.clone();
    return keep(cacheName, request, copy).then(function () { return response; });
  }).catch(function () {
    return caches.match(request).then(function (found) {
      return found || !fallback ? found : caches.match(fallback);
    }).then(function (found) { return found || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === "/app/sign-out" || url.pathname === "/app/sign-in") {
    // signing out, or in as whoever comes next: nothing of the last user stays on the phone
    event.waitUntil(Promise.all([caches.delete(PAGES),
      url.pathname === "/app/sign-out" ? forgetFiles() : Promise.resolve()]));
    return;
  }
  if (request.method !== "GET") { return; }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(networkFirst(request, SHELL));
  } else if (request.mode === "navigate" && kept(url)) {
    var fallback = url.pathname === FORM ? FORM : null;
    event.respondWith(networkFirst(request, PAGES, fallback));
  }
});
