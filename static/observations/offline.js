// Working with no network: the service worker, the queue of observations kept on the phone
// (IndexedDB through idb), its badge, its page « En attente d'envoi », the sending when the
// network returns, and the clearing at logout. Loaded on every page of a signed-in person.
// No inline script: the Content Security Policy forbids it.
(function () {
  "use strict";
  var body = document.body;
  var owner = body.getAttribute("data-user");
  if (!owner || !window.idb || !window.indexedDB) { return; }

  var STORE = "queue";
  var PAGES_CACHE = "aq-pages";
  var STATIC_CACHE = "aq-static";
  var MAX_PHOTOS = 5;
  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = idb.openDB("aq-offline", 1, {
        upgrade: function (database) {
          database.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        },
      });
    }
    return dbPromise;
  }

  // The queue: only this person's items are ever read, shown or sent (a shared phone).
  var queue = {
    all: function () {
      return db().then(function (d) { return d.getAll(STORE); }).then(function (items) {
        return items.filter(function (item) { return item.owner === owner; });
      });
    },
    get: function (id) {
      return db().then(function (d) { return d.get(STORE, id); }).then(function (item) {
        return item && item.owner === owner ? item : undefined;
      });
    },
    put: function (item) { return db().then(function (d) { return d.put(STORE, item); }); },
    remove: function (id) { return db().then(function (d) { return d.delete(STORE, id); }); },
    clear: function () { return db().then(function (d) { return d.clear(STORE); }); },
  };

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  // Texts come translated with the page (observations/offline.py, client_messages).
  var T = {};
  try { T = JSON.parse(document.getElementById("offline-messages").textContent); } catch (e) { /* none */ }
  function format(message, values) {
    Object.keys(values || {}).forEach(function (name) { message = message.split("%(" + name + ")s").join(values[name]); });
    return message;
  }
  function text(key, values) { return format(T[key] || key, values); }
  // A count: the plural form above one, as French says it.
  function plural(n, key) { return format(T[key] ? T[key][n > 1 ? 1 : 0] : key, { n: n }); }

  // The badge in the header -------------------------------------------------------------------
  var badge = document.getElementById("offline-badge");
  function refreshBadge() {
    return queue.all().then(function (items) {
      if (!badge) { return items; }
      badge.classList.toggle("d-none", items.length === 0);
      badge.querySelector(".offline-count").textContent = String(items.length);
      return items;
    });
  }

  // The service worker and what the offline pages need -----------------------------------------
  var offlinePage = document.querySelector("[data-offline-page]");
  if ("serviceWorker" in navigator && body.getAttribute("data-service-worker")) {
    navigator.serviceWorker.register(body.getAttribute("data-service-worker"), { scope: "/" })
      .catch(function () { /* not built, or refused: the form still works online */ });
    if (offlinePage) {
      // Kept now, not at the next visit: the worker was perhaps not there when this page loaded.
      navigator.serviceWorker.ready.then(function () {
        var files = performance.getEntriesByType("resource").map(function (e) { return e.name; })
          .concat(Array.prototype.map.call(document.querySelectorAll("script[src]"), function (s) { return s.src; }))
          .concat(Array.prototype.map.call(document.querySelectorAll("link[rel=stylesheet]"), function (l) { return l.href; }))
          .filter(function (url) { return new URL(url).origin === location.origin && new URL(url).pathname.indexOf("/static/") === 0; });
        return Promise.all([
          caches.open(STATIC_CACHE).then(function (c) { return c.addAll(Array.from(new Set(files))); }),
          // This page, the queue's page that the badge opens, and the page the service worker
          // shows with no network in place of a page it did not keep.
          caches.open(PAGES_CACHE).then(function (c) {
            return c.addAll(Array.from(new Set([location.pathname, body.getAttribute("data-pending-url"),
              body.getAttribute("data-offline-url")].filter(Boolean))));
          }),
          // The pages this one leads to with no network (a walk's other stops), unless kept already.
          caches.open(PAGES_CACHE).then(function (c) {
            var also = (offlinePage.getAttribute("data-offline-also") || "").split(/\s+/).filter(Boolean);
            return Promise.all(also.map(function (url) {
              return c.match(url, { ignoreVary: true }).then(function (hit) { return hit ? null : url; });
            })).then(function (missing) { return c.addAll(missing.filter(Boolean)); });
          }),
        ]);
      }).then(function () { body.setAttribute("data-offline-ready", "1"); })
        .catch(function () { /* offline already, or storage full */ });
    }
  }

  // Sending, in order, when the network is there ------------------------------------------------
  var sending = null;
  function sendOne(item) {
    var data = new FormData();
    item.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    data.set("idempotency_key", item.key);
    data.set("queued_for", item.owner);
    (item.photos || []).forEach(function (photo) { data.append("photos", photo, photo.name || "photo.jpg"); });
    return fetch(item.url, {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.ok && json) { return queue.remove(item.id).then(function () { return "sent"; }); }
      if (json && (response.status === 400 || response.status === 403)) {
        return response.json().then(function (answer) {
          return refuse(item, answer.message || text("refused"));
        });
      }
      if (response.status === 404) {
        return refuse(item, text("refused_here"));
      }
      // Signed out, session expired, server down: everything stays, tried again later.
      return "stop";
    }, function () { return "stop"; });
  }

  // The reason is kept with the item, unless it was edited meanwhile (the edit is sent next).
  function refuse(item, message) {
    return queue.get(item.id).then(function (current) {
      if (!current || current.savedAt !== item.savedAt) { return "refused"; }
      current.error = message;
      return queue.put(current).then(function () { return "refused"; });
    });
  }

  // A refused item is sent again only once edited, or when the person asks (`retry`).
  function sync(retry) {
    if (sending || navigator.onLine === false) { return sending || Promise.resolve(); }
    var run = function () {
      return queue.all().then(function (all) {
        var items = all.filter(function (item) { return retry === true || !item.error; });
        var sent = 0, refused = 0;
        var next = function (i) {
          if (i >= items.length) { return { sent: sent, refused: refused, stopped: false }; }
          return sendOne(items[i]).then(function (outcome) {
            if (outcome === "stop") { return { sent: sent, refused: refused, stopped: true }; }
            if (outcome === "sent") { sent += 1; } else { refused += 1; }
            return next(i + 1);
          });
        };
        return next(0);
      });
    };
    // One tab sends at a time (the key would make a second sending harmless anyway).
    var locked = navigator.locks ? navigator.locks.request("aq-offline-sync", run) : run();
    sending = locked.then(function (result) {
      sending = null;
      return refreshBadge().then(function () {
        document.dispatchEvent(new CustomEvent("aq:queue-changed", { detail: result }));
        return result;
      });
    }, function () { sending = null; });
    return sending;
  }

  // The observation form: queued when there is no network --------------------------------------
  var form = document.querySelector("form[data-offline-form]");
  var editing = null;  // the queued item being edited (from « Modifier » on the queue page)
  if (form) {
    var keyInput = form.querySelector("input[name=idempotency_key]");
    if (keyInput && !keyInput.value) { keyInput.value = newKey(); }
    var notice = document.getElementById("queued-notice");
    var kept = document.getElementById("queued-photos");

    var match = /^#en-attente-(\d+)$/.exec(location.hash);
    if (match) {
      queue.get(Number(match[1])).then(function (item) {
        if (!item) { return; }
        editing = item;
        fill(form, item);
        if (kept) {
          kept.textContent = item.photos && item.photos.length
            ? plural(item.photos.length, "photos_kept")
            : "";
          kept.classList.remove("d-none");
        }
        var heading = document.getElementById("queued-editing");
        if (heading) { heading.classList.remove("d-none"); }
      });
    }

    form.addEventListener("submit", function (event) {
      if (!editing && navigator.onLine !== false) { return; }  // online: the usual sending
      event.preventDefault();
      var item = read(form, editing);
      if (item.photos.length > MAX_PHOTOS) { return; }
      queue.put(item).then(function () {
        try { localStorage.removeItem(form.getAttribute("data-draft-key")); } catch (e) { /* off */ }
        if (editing) {
          // Edited: back to the list, which sends at once if the network is there.
          location.assign(body.getAttribute("data-pending-url"));
          return;
        }
        form.reset();
        form.dispatchEvent(new CustomEvent("aq:form-reset"));
        if (keyInput) { keyInput.value = newKey(); }
        notice.classList.remove("d-none");
        notice.focus({ preventScroll: true });
        requestAnimationFrame(function () { notice.scrollIntoView({ block: "center" }); });
        refreshBadge();
      }, function () {
        notice.textContent = text("storage_full");
        notice.classList.remove("d-none");
      });
    });
    form.addEventListener("input", function () { if (notice) { notice.classList.add("d-none"); } });
  }

  function read(theForm, previous) {
    var fields = [];
    var photos = [];
    new FormData(theForm).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "idempotency_key" || name === "queued_for") { return; }
      if (value instanceof File) { if (value.size) { photos.push(value); } return; }
      fields.push([name, value]);
    });
    var get = function (name) {
      var found = fields.filter(function (pair) { return pair[0] === name; })[0];
      return found ? found[1] : "";
    };
    var item = {
      owner: owner,
      kind: theForm.getAttribute("data-offline-form"),
      url: theForm.getAttribute("action") || location.pathname,
      key: previous ? previous.key : (theForm.querySelector("input[name=idempotency_key]") || {}).value || newKey(),
      fields: fields,
      photos: photos.length || !previous ? photos : previous.photos,
      title: get("title"),
      place: get("place") || theForm.getAttribute("data-offline-place") || "",
      savedAt: Date.now(),
      error: "",
    };
    if (previous) { item.id = previous.id; }
    return item;
  }

  function fill(theForm, item) {
    var values = {};
    item.fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(theForm.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken" || el.type === "submit") { return; }
      var list = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") { el.checked = list.indexOf(el.value) !== -1; }
      else if (el.name !== "idempotency_key") { el.value = list.length ? list[0] : ""; }
    });
    theForm.dispatchEvent(new CustomEvent("aq:form-filled"));
  }

  // The page « En attente d'envoi » ---------------------------------------------------------
  var list = document.getElementById("pending-list");
  function renderList(items) {
    if (!list) { return; }
    var template = document.getElementById("pending-item");
    list.textContent = "";
    items.forEach(function (item) {
      var node = template.content.firstElementChild.cloneNode(true);
      node.querySelector(".pending-title").textContent = item.title || text("untitled");
      var when = new Date(item.savedAt).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" });
      node.querySelector(".pending-meta").textContent = [item.place, text("kept_on", { when: when }),
        item.photos && item.photos.length ? plural(item.photos.length, "photos") : text("no_photo")]
        .filter(Boolean).join(" · ");
      if (item.error) {
        var error = node.querySelector(".pending-error");
        error.textContent = text("refused_because", { reason: item.error });
        error.classList.remove("d-none");
      }
      if (item.kind === "walk-note") {
        node.querySelector(".pending-meta").textContent = text("walk") + " · " + node.querySelector(".pending-meta").textContent;
      }
      var edit = node.querySelector(".pending-edit");
      edit.href = item.url + "#en-attente-" + item.id;
      edit.setAttribute("aria-label", text("edit", { title: item.title || text("untitled_label") }));
      var remove = node.querySelector(".pending-delete");
      remove.setAttribute("aria-label", text("delete", { title: item.title || text("untitled_label") }));
      remove.addEventListener("click", function () {
        if (!window.confirm(text("confirm_delete"))) { return; }
        queue.remove(item.id).then(showList).then(function () { say(text("deleted")); });
      });
      list.appendChild(node);
    });
    document.getElementById("pending-empty").classList.toggle("d-none", items.length > 0);
    document.getElementById("pending-send").classList.toggle("d-none", items.length === 0 || navigator.onLine === false);
  }
  function showList() { return refreshBadge().then(renderList); }
  function say(text) {
    var status = document.getElementById("pending-status");
    if (status) { status.textContent = text; }
  }
  if (list) {
    document.getElementById("pending-send").addEventListener("click", function () { sync(true); });
    document.addEventListener("aq:queue-changed", function (event) {
      showList();
      var r = event.detail || {};
      var parts = [];
      if (r.sent) { parts.push(plural(r.sent, "sent")); }
      if (r.refused) { parts.push(plural(r.refused, "refused_count")); }
      if (r.stopped) { parts.push(text("no_answer")); }
      if (parts.length) { say(parts.join(" ; ") + "."); }
    });
    showList();
  }

  // Logout: the queue and the pages kept leave the phone with the person ------------------------
  var logoutUrl = body.getAttribute("data-logout-url");
  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (!logoutUrl || new URL(target.action, location.href).pathname !== logoutUrl) { return; }
    event.preventDefault();
    queue.all().then(function (items) {
      if (items.length && !window.confirm(plural(items.length, "confirm_logout"))) { return; }
      var cleared = [queue.clear(), caches.delete(PAGES_CACHE)];
      try {
        Object.keys(localStorage).forEach(function (k) { if (k.indexOf("aq-") === 0) { localStorage.removeItem(k); } });
      } catch (e) { /* storage off */ }
      Promise.all(cleared).then(function () { target.submit(); }, function () { target.submit(); });
    });
  });

  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", function () { if (list) { showList(); } });
  refreshBadge().then(function () { sync(); });
  window.aqOfflineQueue = { sync: sync, all: queue.all };
})();
