// The service worker of Wanhu, served as /sw.js so that its scope is the
// whole site. It keeps the visitor's round at hand without signal:
//
// - the shell: the static files of the phone pages under their hashed
//   names (the server fills in SHELL) and Wanhu's offline page, fetched at
//   install; static files are answered from the cache first, as a hashed
//   name never changes;
// - the pages: the route of the day (/today) and, when /today opens with
//   signal, the visit page and the file of each household on it (offline.js
//   sends the list), so a household never opened before opens offline.
//   Pages go network first; the copy answers when the network does not.
//
// The pages hold personal data, so they belong to one user: a page tells
// the worker who is signed in, and another user's pages are dropped at
// once. Only today's households are kept (at most MAX_HOUSEHOLDS), a copy
// older than MAX_AGE is never shown, and offline.js empties the pages at
// logout. A navigation that fails without a copy shows the offline page.
// Visits themselves wait in offline.js's queue, not here.
"use strict";

var SHELL = /*SHELL*/[];
var OFFLINE = "/offline";
var SHELL_CACHE = "wanhu-shell";
var PAGES = "wanhu-pages";
var OWNER = "/__wanhu/owner"; // the user the pages belong to
var MAX_HOUSEHOLDS = 60;
var MAX_AGE = 7 * 24 * 3600 * 1000; // a week's round
var FRESH = 15 * 60 * 1000; // a copy younger than this is not fetched again

function householdPage(path) {
  return /^\/households\/\d+(\/visits)?$/.test(path);
}

// good is a page of the server itself, not a redirect to the login page.
function good(res) {
  return res && res.ok && !res.redirected && res.type === "basic";
}

// age is how old a kept answer is, by the server's Date header.
function age(res) {
  var d = Date.parse(res.headers.get("Date") || "");
  return isNaN(d) ? Infinity : Date.now() - d;
}

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return Promise.all(SHELL.concat([OFFLINE]).map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (res) {
        if (good(res)) return cache.put(url, res);
      }, function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

// activate drops the caches of older workers and the shell files of older
// releases; the pages stay.
self.addEventListener("activate", function (e) {
  var keep = SHELL.concat([OFFLINE]).map(function (u) { return new URL(u, self.location).href; });
  e.waitUntil(caches.keys().then(function (ks) {
    return Promise.all(ks.filter(function (k) { return k !== SHELL_CACHE && k !== PAGES; }).map(function (k) { return caches.delete(k); }));
  }).then(function () {
    return caches.open(SHELL_CACHE);
  }).then(function (cache) {
    return cache.keys().then(function (reqs) {
      return Promise.all(reqs.filter(function (r) { return keep.indexOf(r.url) < 0; }).map(function (r) { return cache.delete(r); }));
    });
  }).then(function () { return self.clients.claim(); }));
});

// kept answers a page from the cache, unless it is too old.
function kept(path) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(path).then(function (hit) {
      if (!hit || age(hit) <= MAX_AGE) return hit;
      return cache.delete(path).then(function () { return undefined; });
    });
  });
}

// keep stores a fresh page: /today always, a household's page only when
// it is already kept (one of today's), so browsing keeps no other.
function keep(path, res) {
  if (!good(res)) return Promise.resolve();
  return caches.open(PAGES).then(function (cache) {
    if (path === "/today") return cache.put(path, res);
    return cache.match(path).then(function (hit) { if (hit) return cache.put(path, res); });
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    e.respondWith(caches.match(req, { ignoreSearch: true }).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  var page = !url.search && (url.pathname === "/today" || householdPage(url.pathname));
  if (!page && req.mode !== "navigate") return;
  e.respondWith(fetch(req).then(function (res) {
    if (page) {
      var copy = res.clone();
      e.waitUntil(keep(url.pathname, copy));
    }
    return res;
  }, function () {
    return (page ? kept(url.pathname) : Promise.resolve()).then(function (hit) {
      if (hit) return hit;
      if (req.mode !== "navigate") return Response.error();
      return caches.match(OFFLINE).then(function (off) { return off || Response.error(); });
    });
  }));
});

// own makes the pages the user's: another user's are dropped first.
function own(user) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(OWNER).then(function (hit) {
      return hit ? hit.text() : null;
    }).then(function (owner) {
      if (owner === user) return cache;
      return caches.delete(PAGES).then(function () {
        return caches.open(PAGES);
      }).then(function (fresh) {
        return fresh.put(OWNER, new Response(user)).then(function () { return fresh; });
      });
    });
  });
}

// keepToday fetches the pages of today's households (ids, in route order)
// one after the other and drops the pages of households no longer on the
// route. It resolves to how many households are ready offline.
function keepToday(user, ids) {
  ids = ids.slice(0, MAX_HOUSEHOLDS);
  var want = ["/today"];
  ids.forEach(function (id) { want.push("/households/" + id + "/visits", "/households/" + id); });
  return own(user).then(function (cache) {
    var ready = {};
    return want.reduce(function (p, path) {
      return p.then(function () {
        return cache.match(path);
      }).then(function (hit) {
        if (hit && age(hit) < FRESH) return hit;
        return fetch(path, { credentials: "same-origin" }).then(function (res) {
          if (good(res)) return cache.put(path, res).then(function () { return true; });
          return hit && age(hit) <= MAX_AGE;
        }, function () { return hit && age(hit) <= MAX_AGE; });
      }).then(function (ok) {
        var m = /^\/households\/(\d+)\/visits$/.exec(path);
        if (ok && m) ready[m[1]] = true;
      });
    }, Promise.resolve()).then(function () {
      return cache.keys();
    }).then(function (reqs) {
      return Promise.all(reqs.filter(function (r) {
        var path = new URL(r.url).pathname;
        return householdPage(path) && want.indexOf(path) < 0;
      }).map(function (r) { return cache.delete(r); }));
    }).then(function () {
      return Object.keys(ready).length;
    });
  });
}

// Pages speak to the worker: {type: "user", user} from every signed-in
// page, {type: "today", user, ids} from the route of the day, which hears
// back {type: "kept", n}.
self.addEventListener("message", function (e) {
  var m = e.data || {}, done;
  if (typeof m.user !== "string" || m.user === "") return;
  if (m.type === "user") {
    done = own(m.user);
  } else if (m.type === "today" && m.ids && m.ids.length !== undefined) {
    var ids = [];
    for (var i = 0; i < m.ids.length; i++) if (/^\d+$/.test(String(m.ids[i]))) ids.push(String(m.ids[i]));
    done = keepToday(m.user, ids).then(function (n) {
      if (e.source && e.source.postMessage) e.source.postMessage({ type: "kept", n: n });
    });
  } else {
    return;
  }
  done = done.catch(function () {});
  if (e.waitUntil) e.waitUntil(done);
});
