// Visits that work without signal. The one-tap visit forms (form[data-offline])
// do not post the page: the visit goes into a queue on the phone (IndexedDB,
// or localStorage where there is none, as in some WeChat browsers) under a
// client id made at the tap, and is sent to /visits/sync when there is
// signal: at once, on the "online" event, on page load and every 20 s. An
// item leaves the queue only when the server has answered it for good, and
// the server records a client id once, so a retry never makes a second
// visit. The banner #offline-queue counts what waits. /sw.js keeps the
// pages at hand offline.
(function () {
  "use strict";
  var banner = document.getElementById("offline-queue");
  if (!banner || !window.Promise) return;
  var user = banner.getAttribute("data-user");

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }

  function newID() {
    var c = window.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    var b = new Uint8Array(16), s = "";
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    for (var j = 0; j < 16; j++) s += (b[j] + 256).toString(16).slice(1);
    return "web-" + s;
  }

  // The queue: all, put and del, each a promise.
  function localQueue() {
    var key = "wanhu-visit-queue";
    function read() {
      try { return JSON.parse(localStorage.getItem(key)) || []; } catch (e) { return []; }
    }
    function without(id) {
      return read().filter(function (x) { return x.client_id !== id; });
    }
    function write(a) {
      return new Promise(function (ok) { localStorage.setItem(key, JSON.stringify(a)); ok(); });
    }
    return {
      all: function () { return Promise.resolve(read()); },
      put: function (v) { var a = without(v.client_id); a.push(v); return write(a); },
      del: function (id) { return write(without(id)); }
    };
  }

  function dbQueue() {
    var opening;
    function open() {
      opening = opening || new Promise(function (ok, fail) {
        var req = indexedDB.open("wanhu-offline", 1);
        req.onupgradeneeded = function () { req.result.createObjectStore("visits", { keyPath: "client_id" }); };
        req.onsuccess = function () { ok(req.result); };
        req.onerror = function () { fail(req.error); };
      });
      return opening;
    }
    function run(mode, fn) {
      return open().then(function (db) {
        return new Promise(function (ok, fail) {
          var tx = db.transaction("visits", mode), req = fn(tx.objectStore("visits"));
          tx.oncomplete = function () { ok(req.result); };
          tx.onerror = tx.onabort = function () { fail(tx.error); };
        });
      });
    }
    return {
      all: function () { return run("readonly", function (s) { return s.getAll(); }); },
      put: function (v) { return run("readwrite", function (s) { return s.put(v); }); },
      del: function (id) { return run("readwrite", function (s) { return s.delete(id); }); }
    };
  }

  // queue falls back to localStorage for good once IndexedDB fails.
  var store = window.indexedDB ? dbQueue() : localQueue();
  function queue(op, arg) {
    return store[op](arg).catch(function (err) {
      if (store.local) throw err;
      store = localQueue();
      store.local = true;
      return store[op](arg);
    });
  }
  function mine() {
    return queue("all").then(function (items) {
      return items.filter(function (x) { return x.user === user; });
    });
  }

  function rowOf(id) {
    return document.querySelector("[data-visit-row][data-household=\"" + id + "\"]");
  }
  function mark(id, text) {
    var row = rowOf(id);
    if (!row) return;
    row.classList.add("recorded");
    var st = row.querySelector(".visit-status");
    if (st) { st.textContent = text; st.hidden = false; }
    var bs = row.querySelectorAll("form[data-offline] button");
    for (var i = 0; i < bs.length; i++) bs[i].disabled = true;
  }

  function refresh() {
    return mine().then(function (items) {
      items.forEach(function (x) { mark(x.household_id, banner.getAttribute("data-saved")); });
      banner.textContent = banner.getAttribute("data-pending").replace("{n}", items.length);
      banner.hidden = items.length === 0;
    }, function () {});
  }

  // send posts one item; it resolves once the item has left the queue and
  // rejects when it must wait (no signal, signed out, server trouble).
  function send(item) {
    var body = new URLSearchParams();
    body.set("csrf", banner.getAttribute("data-csrf"));
    body.set("client_id", item.client_id);
    body.set("household_id", item.household_id);
    body.set("outcome", item.outcome);
    body.set("card_left", item.card_left);
    body.set("age_ms", String(Math.max(Date.now() - item.tapped, 0)));
    return fetch("/visits/sync", { method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json" } }).then(function (res) {
      var final = [400, 404, 409, 422].indexOf(res.status) >= 0;
      if (!res.ok && !final) throw new Error("sync: " + res.status);
      return queue("del", item.client_id).then(function () {
        if (res.ok) mark(item.household_id, banner.getAttribute("data-sent"));
      });
    });
  }

  var flushing = null;
  function flush() {
    if (flushing || !window.fetch) return flushing;
    flushing = mine().then(function (items) {
      return items.reduce(function (p, item) { return p.then(function () { return send(item); }); }, Promise.resolve());
    }).catch(function () {}).then(function () {
      flushing = null;
      return refresh();
    });
    return flushing;
  }

  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.hasAttribute || !f.hasAttribute("data-offline")) return;
    e.preventDefault();
    var item = { client_id: newID(), user: user, household_id: f.getAttribute("data-household"), tapped: Date.now(),
      outcome: f.elements.outcome.value, card_left: f.elements.card_left ? "1" : "" };
    queue("put", item).then(function () {
      return refresh().then(flush);
    }, function () {
      f.submit(); // nowhere to keep it: post the page the old way
    });
  });

  // Signing out forgets the pages kept for offline use; the queue stays,
  // to be sent when the same user signs in again.
  document.addEventListener("submit", function (e) {
    if (e.target.getAttribute("action") !== "/logout" || !window.caches) return;
    e.preventDefault();
    var f = e.target;
    caches.keys().then(function (ks) {
      return Promise.all(ks.map(function (k) { return caches.delete(k); }));
    }).catch(function () {}).then(function () { f.submit(); });
  });

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) flush();
  });
  setInterval(flush, 20000);
  refresh().then(flush);
})();
