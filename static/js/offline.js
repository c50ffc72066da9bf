// Working without a connection, on every page: registers the service worker and tells it
// who is signed in (it keeps only that person's pages, and forgets everyone else's), shows
// when the connection is gone, lists the outbox (outbox.js) and sends it when the page
// opens, when the connection returns and on "Send now" (never Background Sync, which iPad
// Safari lacks), and asks before signing out with contacts still waiting.
(function () {
  "use strict";
  var body = document.body;
  var user = body.getAttribute("data-psp-user") || "";
  var keepsPages = body.hasAttribute("data-psp-works-offline");
  var outbox = window.PSPOutbox && user ? window.PSPOutbox : null;
  var worker = "serviceWorker" in navigator && window.isSecureContext ? navigator.serviceWorker : null;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) {
      return name in values ? values[name] : whole;
    });
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) {
      return field.value;
    }
    var cookie = document.cookie.split("; ").filter(function (part) {
      return part.indexOf("csrftoken=") === 0;
    })[0];
    return cookie ? cookie.slice("csrftoken=".length) : "";
  }

  // --- The service worker -------------------------------------------------------------
  function tellWorker(message, onReply) {
    if (!worker) {
      return;
    }
    worker.ready.then(function (registration) {
      if (!registration.active) {
        return;
      }
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        if (onReply) {
          onReply(event.data);
        }
      };
      registration.active.postMessage(message, [channel.port2]);
    });
  }
  if (worker) {
    worker.register(body.getAttribute("data-psp-service-worker"), { scope: "/" }).catch(function () {
      // No service worker (private mode, an old browser): the pages work online as before.
    });
    if (navigator.onLine) {
      // Signed out (a sign-in page shown by the server), this tells it to forget every page.
      tellWorker({ type: "psp-person", user: user, keep: keepsPages }, function (answer) {
        var ready = document.getElementById("offline-ready");
        if (ready && answer && answer.type === "psp-offline-ready") {
          ready.hidden = false;
        }
      });
    }
  }

  // --- The connection -----------------------------------------------------------------
  var connection = document.getElementById("connection-status");
  function showConnection() {
    if (connection) {
      connection.hidden = navigator.onLine;
    }
  }
  showConnection();
  window.addEventListener("offline", showConnection);
  window.addEventListener("online", showConnection);

  if (!outbox) {
    return;
  }

  // --- The outbox list ----------------------------------------------------------------
  var section = document.getElementById("outbox");
  var note = "";

  function titleOf(item) {
    var template = section ? section.getAttribute(
      item.type === "change" ? "data-msg-change-title" : "data-msg-title"
    ) : "%(kind)s, %(family)s";
    var day = item.payload.occurred_on || (item.values && item.values.date) || "";
    try {
      day = new Date(day + "T12:00:00").toLocaleDateString(
        [document.documentElement.lang || "en", "en"], { month: "short", day: "numeric" }
      );
    } catch (error) {
      // the ISO date as it is
    }
    return format(template, { kind: item.kind || item.payload.activity_type, family: item.family || "", date: day });
  }

  var BADGES = {
    waiting: "text-bg-warning",
    sending: "text-bg-info",
    sent: "text-bg-success",
    attention: "text-bg-danger",
  };
  var DAY = 24 * 60 * 60 * 1000;

  async function render() {
    if (!section) {
      return;
    }
    var items = await outbox.list(user);
    // Sent more than a day ago: the server has it, the list no longer needs it.
    var old = items.filter(function (item) {
      return item.state === "sent" && item.sent && Date.now() - new Date(item.sent).getTime() > DAY;
    });
    await Promise.all(old.map(function (item) { return outbox.remove(item.client_uuid); }));
    items = items.filter(function (item) { return old.indexOf(item) === -1; });
    section.hidden = items.length === 0;
    var list = section.querySelector("[data-outbox-list]");
    var template = section.querySelector("[data-outbox-item]");
    list.textContent = "";
    var counts = { waiting: 0, sending: 0, sent: 0, attention: 0 };
    items.forEach(function (item) {
      counts[item.state] += 1;
      var row = template.content.firstElementChild.cloneNode(true);
      row.setAttribute("data-state", item.state);
      row.querySelector("[data-item-title]").textContent = titleOf(item);
      var badge = row.querySelector("[data-item-state]");
      badge.textContent = section.getAttribute("data-msg-" + item.state);
      badge.classList.add(BADGES[item.state]);
      if (item.state === "attention") {
        var conflict = item.status === 409 && item.current;
        var reason = row.querySelector("[data-item-reason]");
        reason.textContent = conflict ? section.getAttribute("data-msg-conflict") : item.reason;
        reason.hidden = false;
        row.querySelector("[data-item-actions]").hidden = false;
        var retry = row.querySelector("[data-item-retry]");
        // The family is no longer theirs (404), the contact not theirs to log or signed off
        // (403): nothing in the form would change that, so only Discard is offered. A
        // conflict offers the two versions instead.
        retry.hidden = item.status === 404 || item.status === 403 || Boolean(conflict);
        retry.href = item.type === "change"
          ? body.getAttribute("data-psp-contact-edit").replace("/0/", "/" + item.contact + "/") + "?retry=1"
          : body.getAttribute("data-psp-contact-form") + "?retry=" + encodeURIComponent(item.client_uuid);
        var discardButton = row.querySelector("[data-item-discard]");
        discardButton.hidden = Boolean(conflict);
        discardButton.setAttribute("data-confirm", section.getAttribute(
          item.type === "change" ? "data-msg-confirm-discard-change" : "data-msg-confirm-discard"
        ));
        ["discard", "keep-mine", "keep-theirs"].forEach(function (name) {
          row.querySelector("[data-item-" + name + "]").setAttribute("data-uuid", item.client_uuid);
        });
        row.querySelector("[data-item-keep-mine]").hidden = !conflict;
        row.querySelector("[data-item-keep-theirs]").hidden = !conflict;
        if (item.type === "change") {
          compare(row.querySelector("[data-item-compare]"), item, conflict);
        }
      }
      list.appendChild(row);
    });
    var summary = format(section.getAttribute("data-msg-summary"), {
      waiting: counts.waiting + counts.sending, attention: counts.attention, sent: counts.sent,
    });
    section.querySelector("[data-outbox-summary]").textContent =
      counts.waiting + counts.sending && note ? summary + " " + note : summary;
    return counts;
  }

  // A change the server refused, field by field: what the person wrote and, after a
  // conflict, what the contact says now.
  function shown(item, name, value) {
    var labels = (item.choices || {})[name];
    var values = [].concat(value === null || value === undefined ? [] : value).filter(function (one) {
      return one !== "";
    });
    if (!values.length) {
      return section.getAttribute("data-msg-empty");
    }
    return values.map(function (one) {
      return labels && labels[String(one)] ? labels[String(one)] : String(one);
    }).join(", ");
  }

  function compare(list, item, conflict) {
    list.textContent = "";
    (item.changed || []).forEach(function (name) {
      var term = document.createElement("dt");
      term.textContent = (item.labels || {})[name] || name;
      list.appendChild(term);
      var lines = [[section.getAttribute("data-msg-yours"), shown(item, name, item.values[name])]];
      if (conflict) {
        lines.unshift([section.getAttribute("data-msg-now"), shown(item, name, item.current[outbox.apiName(name)])]);
      }
      lines.forEach(function (line) {
        var detail = document.createElement("dd");
        var which = document.createElement("span");
        which.className = "fw-semibold me-1";
        which.textContent = line[0];
        detail.appendChild(which);
        detail.appendChild(document.createTextNode(" "));
        detail.appendChild(document.createTextNode(line[1]));
        list.appendChild(detail);
      });
    });
    list.hidden = !(item.changed || []).length;
  }

  var sending = null;
  function send() {
    if (sending) {
      return sending;
    }
    note = navigator.onLine ? "" : section ? section.getAttribute("data-msg-offline") : "";
    sending = outbox.sync(user, {
      endpoint: body.getAttribute("data-psp-contacts-api"),
      csrfToken: csrfToken(),
      refusedMessage: section ? section.getAttribute("data-msg-refused") : "",
      onProgress: render,
    }).then(async function (result) {
      if (result === "stopped" && section) {
        note = section.getAttribute(navigator.onLine ? "data-msg-signin" : "data-msg-offline");
      }
      return result;
    }).catch(function () {
      return "stopped";
    }).then(async function (result) {
      sending = null;
      await render();
      return result;
    });
    return sending;
  }

  if (section) {
    section.addEventListener("click", async function (event) {
      if (event.target.closest("[data-outbox-send]")) {
        await send();
        return;
      }
      var discard = event.target.closest("[data-item-discard]");
      if (discard && window.confirm(discard.getAttribute("data-confirm"))) {
        await outbox.remove(discard.getAttribute("data-uuid"));
        await render();
      }
      var theirs = event.target.closest("[data-item-keep-theirs]");
      if (theirs && window.confirm(section.getAttribute("data-msg-confirm-theirs"))) {
        await outbox.remove(theirs.getAttribute("data-uuid"));
        await render();
      }
      var mine = event.target.closest("[data-item-keep-mine]");
      if (mine) {
        await outbox.keepMine(mine.getAttribute("data-uuid"));
        await render();
        await send();
      }
    });
  }
  window.addEventListener("online", function () { send(); });
  window.PSPOfflinePage = { render: render, send: send };
  render().then(function () {
    if (navigator.onLine) {
      send();
    }
  });

  // --- Signing out with contacts waiting ------------------------------------------------
  var signOut = document.querySelector("form[data-psp-sign-out]");
  var dialog = document.getElementById("sign-out-dialog");

  async function leave() {
    // What the server has is forgotten; this person's kept pages go from the tablet.
    await outbox.forgetSent(user);
    if ("caches" in window) {
      var names = await caches.keys();
      await Promise.all(names.filter(function (name) { return name.indexOf("psp-pages-") === 0; })
        .map(function (name) { return caches.delete(name); }));
    }
    tellWorker({ type: "psp-forget", user: user });
    HTMLFormElement.prototype.submit.call(signOut);
  }

  if (signOut && dialog) {
    signOut.addEventListener("submit", async function (event) {
      event.preventDefault();
      var waiting = (await outbox.list(user)).filter(function (item) {
        return item.state !== "sent";
      });
      if (!waiting.length) {
        await leave();
        return;
      }
      dialog.querySelector("[data-sign-out-count]").textContent =
        format(dialog.getAttribute("data-msg-count"), { count: waiting.length });
      dialog.showModal();
    });
    dialog.addEventListener("click", async function (event) {
      if (event.target.closest("[data-sign-out-cancel]")) {
        dialog.close();
      } else if (event.target.closest("[data-sign-out-anyway]")) {
        await leave();
      } else if (event.target.closest("[data-sign-out-send]")) {
        await send();
        var left = (await outbox.list(user)).filter(function (item) { return item.state !== "sent"; });
        if (!left.length) {
          await leave();
          return;
        }
        // Some could not go (no connection, or refused): say so, and let the person choose.
        dialog.querySelector("[data-sign-out-count]").textContent =
          format(dialog.getAttribute("data-msg-count"), { count: left.length });
      }
    });
  }
})();
