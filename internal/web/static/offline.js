// Wanhu without signal. On every signed-in page it tells the service
// worker (/sw.js) who is signed in, so the pages kept for another user are
// dropped, and it empties the kept pages at logout. For those who record
// visits it also:
//
// - registers the service worker and, on the route of the day, sends it
//   today's households so their pages are kept for use offline
//   (#today-kept then says how many are ready);
// - queues visits: the one-tap forms (form[data-offline]) and the full
//   visit form (form[data-offline-form], with its needs, changes, survey
//   and photos) do not post the page (a safety round's checklist is such
//   a form too: its data-sync names where it is sent instead of
//   /visits/sync, and its data-household is "round-<id>"): the visit goes into a queue on the
//   phone (IndexedDB, or localStorage where there is none, as in some
//   WeChat browsers; photos only in IndexedDB) under a client id made at
//   the tap, and is sent to /visits/sync when there is signal: at once, on
//   the "online" event, on page load and every 20 s. An item leaves the
//   queue only when the server has answered it for good, and the server
//   records a client id once, so a retry never makes a second visit. The
//   banner #offline-queue counts what waits.
(function () {
  "use strict";
  if (!window.Promise || !document.body) return;
  var user = document.body.getAttribute("data-user") || "";
  var sw = "serviceWorker" in navigator ? navigator.serviceWorker : null;

  // Signing out forgets the pages kept for offline use (every cache but
  // the worker's shell of static files and the offline page, which hold
  // nobody's data); the queue stays, to be sent when the same user signs
  // in again.
  document.addEventListener("submit", function (e) {
    if (e.defaultPrevented || e.target.getAttribute("action") !== "/logout" || !window.caches) return;
    e.preventDefault();
    var f = e.target;
    caches.keys().then(function (ks) {
      return Promise.all(ks.filter(function (k) { return k !== "wanhu-shell"; }).map(function (k) { return caches.delete(k); }));
    }).catch(function () {}).then(function () { f.submit(); });
  });

  var banner = document.getElementById("offline-queue");
  var today = document.getElementById("today-list");
  if (sw && user && (!banner || !today)) {
    sw.getRegistration().then(function (reg) {
      if (reg && reg.active) reg.active.postMessage({ type: "user", user: user });
    }).catch(function () {});
  }
  if (!banner) return;

  if (sw) {
    sw.register("/sw.js").catch(function () {});
    if (today) keepToday();
  }

  // keepToday asks the worker to keep the pages of today's households.
  function keepToday() {
    var rows = today.querySelectorAll("[data-visit-row][data-household]"), ids = [];
    for (var i = 0; i < rows.length; i++) ids.push(rows[i].getAttribute("data-household"));
    sw.addEventListener("message", function (e) {
      var kept = document.getElementById("today-kept"), m = e.data || {};
      if (m.type !== "kept" || !kept) return;
      kept.setAttribute("data-kept", String(m.n));
      kept.textContent = kept.getAttribute("data-text").replace("{n}", m.n);
      kept.hidden = m.n === 0;
    });
    if (sw.startMessages) sw.startMessages();
    sw.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ type: "today", user: user, ids: ids });
    }).catch(function () {});
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
      local: true,
      all: function () { return Promise.resolve(read()); },
      put: function (v) {
        if (v.photos && v.photos.length) return Promise.reject(new Error("photos need IndexedDB"));
        var a = without(v.client_id);
        a.push(v);
        return write(a);
      },
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

  // refresh shows what waits and what the server refused. A full visit
  // refused while nobody watched (a bad field found in the background
  // upload) stays on the phone, marked refused and never sent again, until
  // its household's visit form is filled back with it.
  function refresh() {
    return mine().then(function (items) {
      var waiting = items.filter(function (x) { return !x.refused; });
      var refused = items.length - waiting.length;
      waiting.forEach(function (x) { mark(x.household_id, banner.getAttribute("data-saved")); });
      var text = waiting.length ? banner.getAttribute("data-pending").replace("{n}", waiting.length) : "";
      if (refused) text += (text ? " " : "") + banner.getAttribute("data-refused").replace("{n}", refused);
      banner.textContent = text;
      banner.hidden = items.length === 0;
      refill(items);
    }, function () {});
  }

  // refill puts a refused visit of this page's household back into its
  // form, to be corrected and saved again (photos must be chosen again).
  var refilled = null;
  function refill(items) {
    var f = document.querySelector("form[data-offline-form]");
    if (!f || refilled) return;
    var item = items.filter(function (x) { return x.refused && x.fields && String(x.household_id) === f.getAttribute("data-household"); })[0];
    if (!item) return;
    refilled = item.client_id;
    item.fields.forEach(function (kv) {
      var els = f.querySelectorAll("[name=\"" + kv[0] + "\"]");
      for (var i = 0; i < els.length; i++) {
        var el = els[i];
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.value === kv[1]) el.checked = true;
        } else if (el.type !== "file") {
          el.value = kv[1];
        }
      }
    });
    var d = f.parentNode;
    if (d && d.tagName === "DETAILS") d.open = true;
    var status = document.getElementById("visit-form-status");
    if (status) { status.textContent = f.getAttribute("data-refilled"); status.hidden = false; }
  }

  // send posts one item; it resolves to the server's final status once
  // the item has left the queue and rejects when it must wait (no signal,
  // signed out, server trouble).
  function send(item) {
    var photos = item.photos || [];
    var body = photos.length ? new FormData() : new URLSearchParams();
    body.append("csrf", banner.getAttribute("data-csrf"));
    body.append("client_id", item.client_id);
    if (!item.sync) body.append("household_id", item.household_id);
    body.append("age_ms", String(Math.max(Date.now() - item.tapped, 0)));
    if (item.fields) {
      item.fields.forEach(function (kv) { body.append(kv[0], kv[1]); });
    } else {
      body.append("outcome", item.outcome);
      body.append("card_left", item.card_left);
    }
    photos.forEach(function (p) { body.append("photo", p.blob, p.name); });
    return fetch(item.sync || "/visits/sync", { method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json" } }).then(function (res) {
      var final = [400, 404, 409, 422].indexOf(res.status) >= 0;
      if (!res.ok && !final) throw new Error("sync: " + res.status);
      if (!res.ok && item.fields && !watched[item.client_id]) {
        item.refused = res.status; // nobody is looking: keep what was typed
        return queue("put", item).then(function () { answered[item.client_id] = res.status; });
      }
      return queue("del", item.client_id).then(function () {
        answered[item.client_id] = res.status;
        if (res.ok) mark(item.household_id, banner.getAttribute("data-sent"));
      });
    });
  }

  var flushing = null, answered = {}, watched = {};
  function flush() {
    if (flushing || !window.fetch) return flushing;
    flushing = mine().then(function (items) {
      items = items.filter(function (x) { return !x.refused; });
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

  // The full visit form: the same queue, with every field of the form
  // and the photos. With signal the visit is sent at once and the page
  // shows it; a visit the server refuses is posted the old way, so the
  // page names the field; without signal the form says it is kept.
  var skip = { csrf: 1, client_id: 1, household_id: 1, age_ms: 1 };
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.hasAttribute || !f.hasAttribute("data-offline-form")) return;
    e.preventDefault();
    var fields = [], photos = [];
    for (var i = 0; i < f.elements.length; i++) {
      var el = f.elements[i];
      if (!el.name || el.disabled || skip[el.name] || el.type === "submit" || el.type === "button") continue;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
      if (el.type === "file") {
        for (var j = 0; el.files && j < el.files.length; j++) photos.push({ blob: el.files[j], name: el.files[j].name });
        continue;
      }
      fields.push([el.name, el.value]);
    }
    var status = document.getElementById("visit-form-status");
    var item = { client_id: newID(), user: user, household_id: f.getAttribute("data-household"), tapped: Date.now(),
      sync: f.getAttribute("data-sync") || "", outcome: f.elements.outcome ? f.elements.outcome.value : "", fields: fields, photos: photos };
    watched[item.client_id] = true; // this page shows the answer: a refusal posts the form
    var done = refilled ? queue("del", refilled) : Promise.resolve();
    refilled = null;
    done.then(function () { return queue("put", item); }).then(function () {
      return refresh().then(flush).then(function () {
        return answered[item.client_id] ? null : flush(); // a flush already under way did not send it
      }).then(function () {
        var code = answered[item.client_id];
        if (code === 200 || code === 201) {
          location.hash = "#done";
          location.reload();
        } else if (code) {
          f.submit();
        } else {
          f.reset();
          var d = f.parentNode;
          if (d && d.tagName === "DETAILS") d.open = false;
          if (status) { status.textContent = f.getAttribute("data-queued"); status.hidden = false; }
        }
      });
    }, function () {
      if (navigator.onLine !== false || !photos.length) {
        f.submit(); // nowhere to keep it: post the page the old way
      } else if (status) {
        status.textContent = f.getAttribute("data-photos-offline");
        status.hidden = false;
      }
    });
  });

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) flush();
  });
  setInterval(flush, 20000);
  refresh().then(flush);
})();
