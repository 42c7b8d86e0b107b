// The service worker of Wanhu, served as /sw.js so that its scope is the
// whole site. It keeps the visitor's pages at hand without signal: the app
// shell and the pages with one-tap visit forms (the route of the day and
// each household's visit page) go network first, and the last copy that
// came from the server answers when the network does not. Nothing else is
// kept. Visits themselves wait in offline.js's queue, not here.
"use strict";

var CACHE = "wanhu-v1";
var SHELL = ["/today", "/static/app.css", "/static/app.js", "/static/offline.js"];

function kept(path) {
  return path === "/today" || path.indexOf("/static/") === 0 || /^\/households\/\d+\/visits$/.test(path);
}

// store keeps a good answer of the server (not a redirect to the login page).
function store(cache, req, res) {
  if (res.ok && !res.redirected && res.type === "basic") return cache.put(req, res);
}

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (res) { return store(cache, url, res); }, function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (ks) {
    return Promise.all(ks.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.search || !kept(url.pathname)) return;
  e.respondWith(fetch(req).then(function (res) {
    var copy = res.clone();
    e.waitUntil(caches.open(CACHE).then(function (cache) { return store(cache, url.pathname, copy); }));
    return res;
  }, function () {
    return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
  }));
});
