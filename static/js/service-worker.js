// The tablet's service worker (served at /service-worker.js, which sets PSP_OFFLINE and
// loads Workbox, idb and the outbox first). It keeps:
// - the app shell (styles, scripts, the icon font), precached by Workbox;
// - for the one person signed in, the pages a Parent Partner needs in the field (their
//   home, each family's page, the contact form, the change form of each contact listed on
//   a family's page), network first, falling back to the copy
//   kept; refreshed as they are opened and, each time a page opens online, from the
//   caseload (whose ETag says when the families changed). A page is kept only when the server marked it
//   as that person's (PSP_OFFLINE.header), in a cache named after them;
// - a contact form, or a contact's change, sent while the connection is gone, in the
//   outbox (outbox.js).
// Nothing depends on Background Sync (iPad Safari has none): the pages send the outbox.
/* global PSP_OFFLINE, PSPOutbox, workbox */
(function () {
  "use strict";
  var config = self.PSP_OFFLINE;
  var PAGES = "psp-pages-";
  var META = "psp-meta";
  var PERSON = "/__psp/person";

  self.skipWaiting();
  workbox.core.clientsClaim();
  workbox.precaching.precacheAndRoute(config.precache);
  workbox.precaching.cleanupOutdatedCaches();

  async function person() {
    var kept = await (await caches.open(META)).match(PERSON);
    return kept ? kept.text() : "";
  }

  // The person the tablet is signed in as, told by each page; everybody else's pages go.
  async function setPerson(user) {
    var meta = await caches.open(META);
    if (user) {
      await meta.put(PERSON, new Response(user));
    } else {
      await meta.delete(PERSON);
    }
    var names = await caches.keys();
    await Promise.all(names.filter(function (name) {
      return name.indexOf(PAGES) === 0 && name !== PAGES + user;
    }).map(function (name) { return caches.delete(name); }));
  }

  // Pages are kept by path: the contact form opened for one family (?case=) is the same form.
  function pageKey(url) {
    var parsed = new URL(url);
    return parsed.origin + parsed.pathname;
  }

  function theirs(response, user) {
    return response && response.status === 200 && !response.redirected &&
      response.headers.get(config.header) === user;
  }

  // Each time a page opens online: the caseload, and each family's page and the contact form when the
  // caseload changed (or a page is missing); pages of families no longer theirs go.
  async function refresh(user) {
    var cache = await caches.open(PAGES + user);
    var meta = await caches.open(META);
    var kept = await meta.match("/__psp/caseload/" + user);
    var known = kept ? await kept.json() : { etag: "", ids: [] };
    var answer = await fetch(config.caseload, {
      credentials: "same-origin",
      headers: known.etag ? { "If-None-Match": known.etag, Accept: "application/json" }
        : { Accept: "application/json" },
    });
    var changed = false;
    if (answer.status === 200) {
      var cases = await answer.json();
      known = { etag: answer.headers.get("ETag") || "", ids: cases.map(function (c) { return c.id; }) };
      await meta.put("/__psp/caseload/" + user, new Response(JSON.stringify(known)));
      changed = true;
    } else if (answer.status !== 304) {
      return;
    }
    var pages = [config.home, config.contactForm].concat(known.ids.map(function (id) {
      return config.casePage.replace("/0/", "/" + id + "/");
    }));
    var linked = [];
    for (var index = 0; index < pages.length; index += 1) {
      var url = new URL(pages[index], self.location.origin).href;
      var page = changed ? null : await cache.match(url);
      if (!page) {
        page = await fetch(url, { credentials: "same-origin" });
        if (!theirs(page, user)) {
          continue;
        }
        await cache.put(url, page.clone());
      }
      if (casePage.test(new URL(url).pathname)) {
        linked = linked.concat(editLinks(await page.text()));
      }
    }
    // The change form of each contact a family's page lists as open to change.
    linked = linked.slice(0, MAX_FORMS);
    for (var at = 0; at < linked.length; at += 1) {
      if (changed || !(await cache.match(linked[at]))) {
        var form = await fetch(linked[at], { credentials: "same-origin" });
        if (theirs(form, user)) {
          await cache.put(linked[at], form);
        }
      }
    }
    var casePath = new RegExp("^" + config.casePage.replace("/0/", "/(\\d+)/") + "$");
    var requests = await cache.keys();
    await Promise.all(requests.filter(function (request) {
      var path = new URL(request.url).pathname;
      var match = path.match(casePath);
      if (match) {
        return known.ids.indexOf(parseInt(match[1], 10)) === -1;
      }
      return changeForm.test(path) && linked.indexOf(request.url) === -1;
    }).map(function (request) { return cache.delete(request); }));
  }

  // The change forms a family's page links to and marks as still open to change (not signed
  // off), as absolute addresses; at most MAX_FORMS of them.
  var MAX_FORMS = 10;
  function editLinks(html) {
    var pattern = new RegExp(
      'href="(' + config.contactEdit.replace("/0/", "/\\d+/") + ')" data-psp-keep', "g"
    );
    var found = [];
    var match;
    while ((match = pattern.exec(html)) !== null) {
      var url = new URL(match[1], self.location.origin).href;
      if (found.indexOf(url) === -1) {
        found.push(url);
      }
    }
    return found;
  }

  // Only the pages a Parent Partner may keep go through the cache; every other page and
  // download is the browser's own business, untouched.
  var casePage = new RegExp("^" + config.casePage.replace("/0/", "/\\d+/") + "$");
  var changeForm = new RegExp("^" + config.contactEdit.replace("/0/", "/\\d+/") + "$");
  function mayKeep(url) {
    return url.pathname === "/" || url.pathname === config.home ||
      url.pathname === config.contactForm || casePage.test(url.pathname) ||
      changeForm.test(url.pathname);
  }

  workbox.routing.registerRoute(
    function (options) { return options.request.mode === "navigate" && mayKeep(options.url); },
    async function (options) {
      var user = await person();
      var request = options.request;
      if (!user) {
        return fetch(request);
      }
      var strategy = new workbox.strategies.NetworkFirst({
        cacheName: PAGES + user,
        networkTimeoutSeconds: 8,
        plugins: [{
          cacheKeyWillBeUsed: async function (args) { return pageKey(args.request.url); },
          cacheWillUpdate: async function (args) {
            return theirs(args.response, user) ? args.response : null;
          },
        }],
      });
      try {
        return await strategy.handle({ event: options.event, request: request });
      } catch (error) {
        // The site's root sends a Parent Partner home: offline, their home is the answer.
        if (new URL(request.url).pathname === "/") {
          var home = await (await caches.open(PAGES + user)).match(
            new URL(config.home, self.location.origin).href
          );
          if (home) {
            return home;
          }
        }
        throw error;
      }
    }
  );

  // A form the Parent Partner sends: to the server when it can be reached; when the
  // connection is gone (or lost on the way), `keep(user, form, url)` puts it in the outbox and
  // gives the address of the page to show instead (from the cache), or nothing to fail.
  function sendOrKeep(matches, keep) {
    workbox.routing.registerRoute(
      function (options) {
        return options.request.mode === "navigate" && matches(options.url.pathname);
      },
      async function (options) {
        var copy = options.request.clone();
        try {
          return await fetch(options.request);
        } catch (error) {
          var user = await person();
          var back = user ? await keep(user, await copy.formData(), options.url) : null;
          if (!back) {
            throw error;
          }
          return Response.redirect(back.href, 303);
        }
      },
      "POST"
    );
  }

  // The contact form: the contact goes into the outbox and the form comes back saying so.
  // Sent again later through the API, with the same client_uuid: if this POST did reach the
  // server, the API answers with that contact, so it is never saved twice.
  sendOrKeep(function (path) { return path === config.contactForm; }, async function (user, form) {
    if (!form.get("client_uuid")) {
      return null;
    }
    var values = PSPOutbox.valuesOf(form);
    await PSPOutbox.add(user, values, {
      family: form.get("offline_family") || "",
      kind: form.get("offline_kind") || "",
    });
    var back = new URL(config.contactForm, self.location.origin);
    back.searchParams.set("queued", values.client_uuid);
    if (values.another && values["case"]) {
      back.searchParams.set("case", values["case"]);
    }
    return back;
  });

  // A contact's change form: the change goes into the outbox (every field counts as changed:
  // what the form first said is not known here) and the form comes back, which shows it.
  sendOrKeep(function (path) { return changeForm.test(path); }, async function (user, form, url) {
    var contact = parseInt(url.pathname.split("/").filter(Boolean).slice(-2)[0], 10);
    if (!contact || !form.get("version")) {
      return null;
    }
    await PSPOutbox.addChange(user, contact, PSPOutbox.valuesOf(form), {});
    var back = new URL(url.pathname, self.location.origin);
    back.searchParams.set("queued", "1");
    return back;
  });

  self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "psp-person") {
      var user = data.user || "";
      var reply = event.ports[0];
      event.waitUntil(setPerson(user).then(function () {
        if (user && data.keep) {
          return refresh(user).then(function () {
            if (reply) {
              reply.postMessage({ type: "psp-offline-ready" });
            }
          });
        }
        return null;
      }).catch(function () { return null; }));
    } else if (data.type === "psp-forget") {
      // Sign-out: this person's pages go from the tablet.
      event.waitUntil(caches.delete(PAGES + data.user).then(function () {
        return setPerson("");
      }));
    }
  });
})();
