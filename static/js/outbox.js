// The tablet's outbox: contacts logged without a connection, kept in IndexedDB (through
// idb) until the JSON API has them. Loaded by the pages and by the service worker, so it
// touches no page. Each item belongs to one signed-in person (its `user`) and carries its
// own client_uuid: the API's create is idempotent on it, so an item sent twice (a crash
// mid-send, two tabs) is still one contact.
//
// An item's state: "waiting" (to send), "sending", "sent", "attention" (the server
// refused it; its reason is kept and nothing is dropped without the person's word).
//
// An item is a new contact, or (type "change") a change to a contact already saved: only
// the fields the person changed are sent, over the version they opened, so a change made
// elsewhere meanwhile comes back as a conflict (409, with the contact as it now stands) for
// the person to settle, never overwritten silently.
(function (scope) {
  "use strict";
  var DB = "psp-outbox";
  var STORE = "items";
  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = scope.idb.openDB(DB, 1, {
        upgrade: function (database) {
          var store = database.createObjectStore(STORE, { keyPath: "client_uuid" });
          store.createIndex("user", "user");
        },
      });
    }
    return dbPromise;
  }

  function byOrder(a, b) {
    return a.seq - b.seq;
  }

  // The contact form's fields as the API names them (mentoring.api.ContactCreateSerializer).
  function payloadOf(values) {
    function one(name) {
      var value = values[name];
      return Array.isArray(value) ? value[0] || "" : value || "";
    }
    var payload = {
      client_uuid: one("client_uuid"),
      case: parseInt(one("case"), 10) || null,
      occurred_on: one("date"),
      duration_minutes: parseInt(one("duration"), 10) || null,
      activity_type: one("activity_type"),
      mode: one("mode"),
      location: one("location"),
      notes: one("notes"),
      next_step: one("next_step"),
      present: [].concat(values.present || []).filter(Boolean),
    };
    if (one("time")) {
      payload.occurred_time = one("time");
    }
    if (one("mileage")) {
      payload.mileage = one("mileage");
    }
    if (one("next_step_due") && payload.next_step) {
      payload.next_step_due = one("next_step_due");
    }
    if (one("next_court_date") && payload.activity_type === "court_hearing") {
      payload.next_court_date = one("next_court_date");
    }
    if (one("resource") && payload.activity_type === "resource_linkage") {
      payload.resource = parseInt(one("resource"), 10);
    }
    return payload;
  }

  // A FormData (the page's form, or the POST the service worker could not send) as plain
  // values: one string, or a list for the fields that hold several.
  function valuesOf(formData) {
    var values = {};
    formData.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string") {
        return;
      }
      if (name === "present") {
        values.present = (values.present || []).concat([value]);
      } else {
        values[name] = value;
      }
    });
    return values;
  }

  // A form on the page as plain values, as the person sees them: each field's value, a list
  // of the chosen ones for radio buttons and checkboxes.
  function formValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.name === "csrfmiddlewaretoken" || element.type === "submit") {
        return;
      }
      if (element.type === "radio" || element.type === "checkbox") {
        values[element.name] = values[element.name] || [];
        if (element.checked) {
          values[element.name].push(element.value);
        }
      } else {
        values[element.name] = element.value;
      }
    });
    return values;
  }

  // Adds a contact for `user`; one already kept under the same client_uuid (a second tap,
  // "Edit and retry") is replaced and waits again, keeping its place in the order.
  async function add(user, values, labels) {
    var database = await db();
    var tx = database.transaction(STORE, "readwrite");
    var store = tx.store;
    var payload = payloadOf(values);
    var previous = await store.get(payload.client_uuid);
    if (previous && previous.state === "sent" && scope.crypto && scope.crypto.randomUUID) {
      // That id is the server's already: sent under it, this would come back as the first.
      values.client_uuid = payload.client_uuid = scope.crypto.randomUUID();
      previous = null;
    }
    var seq = previous ? previous.seq : 0;
    if (!previous) {
      var all = await store.getAll();
      seq = all.reduce(function (most, item) { return Math.max(most, item.seq); }, 0) + 1;
    }
    var item = {
      client_uuid: payload.client_uuid,
      user: String(user),
      seq: seq,
      created: previous ? previous.created : new Date().toISOString(),
      state: "waiting",
      values: values,
      payload: payload,
      family: (labels && labels.family) || (previous && previous.family) || "",
      kind: (labels && labels.kind) || (previous && previous.kind) || "",
      reason: "",
    };
    await store.put(item);
    await tx.done;
    return item;
  }

  // The contact form's names that the API spells otherwise.
  var API_NAMES = { date: "occurred_on", time: "occurred_time", duration: "duration_minutes" };
  // Cleared, these are sent as "none" rather than left out.
  var NULLABLE = ["occurred_time", "next_court_date", "resource", "next_step_due"];
  var FORM_FIELDS = [
    "date", "time", "activity_type", "resource", "next_court_date", "mode", "duration",
    "notes", "location", "present", "mileage", "next_step", "next_step_due",
  ];

  function same(a, b) {
    return JSON.stringify([].concat(a || []).sort()) === JSON.stringify([].concat(b || []).sort());
  }

  // The fields changed from `original` (the form as it was opened); all of them when the
  // original is unknown (a form the service worker caught on its way to the server).
  function changedFields(values, original) {
    return FORM_FIELDS.filter(function (name) {
      return name in values && (!original || !same(values[name], original[name]));
    });
  }

  function changePayload(values, changed, version) {
    var payload = { version: version };
    changed.forEach(function (name) {
      var api = API_NAMES[name] || name;
      var value = values[name];
      if (name === "present") {
        payload.present = [].concat(value || []).filter(Boolean);
        return;
      }
      value = Array.isArray(value) ? value[0] || "" : value || "";
      if (name === "duration" || name === "resource") {
        value = value ? parseInt(value, 10) : null;
      }
      if (value === "" && NULLABLE.indexOf(api) !== -1) {
        value = null;
      }
      if (value === "" && api === "mileage") {
        return;  // the API keeps the miles as they are; it has no "none" for them
      }
      payload[api] = value;
    });
    return payload;
  }

  // A change to contact `contact` for `user`: one per contact, kept under "change-<id>". A
  // second change before the first is sent replaces it (the form showed the first) and keeps
  // the version and the original the person first opened.
  async function addChange(user, contact, values, details) {
    var key = "change-" + contact;
    var database = await db();
    var tx = database.transaction(STORE, "readwrite");
    var previous = await tx.store.get(key);
    if (previous && (previous.state === "sent" || previous.user !== String(user))) {
      await tx.store.delete(key);
      previous = null;
    }
    var seq = previous ? previous.seq : 0;
    if (!previous) {
      var all = await tx.store.getAll();
      seq = all.reduce(function (most, item) { return Math.max(most, item.seq); }, 0) + 1;
    }
    var original = previous ? previous.original : details.original || null;
    var version = previous ? previous.version : parseInt(values.version, 10) || 0;
    var changed = changedFields(values, original);
    var item = {
      client_uuid: key,
      type: "change",
      contact: contact,
      user: String(user),
      seq: seq,
      created: previous ? previous.created : new Date().toISOString(),
      state: "waiting",
      values: values,
      original: original,
      version: version,
      changed: changed,
      payload: changePayload(values, changed, version),
      family: details.family || (previous && previous.family) || "",
      kind: details.kind || (previous && previous.kind) || "",
      labels: details.labels || {},
      choices: details.choices || {},
      reason: "",
    };
    await tx.store.put(item);
    await tx.done;
    return item;
  }

  // "Keep mine" after a conflict: the same changes, sent again over the version the server
  // has now (the fields the other person changed and this one did not stay theirs).
  async function keepMine(uuid) {
    var item = await get(uuid);
    if (!item || !item.current) {
      return item;
    }
    var payload = Object.assign({}, item.payload, { version: item.current.version });
    return update(uuid, {
      state: "waiting", payload: payload, version: item.current.version, reason: "", status: 0,
    });
  }

  async function list(user) {
    var items = await (await db()).getAllFromIndex(STORE, "user", String(user));
    return items.sort(byOrder);
  }

  async function get(uuid) {
    return (await db()).get(STORE, uuid);
  }

  async function update(uuid, changes) {
    var database = await db();
    var tx = database.transaction(STORE, "readwrite");
    var item = await tx.store.get(uuid);
    if (item) {
      Object.keys(changes).forEach(function (key) { item[key] = changes[key]; });
      await tx.store.put(item);
    }
    await tx.done;
    return item;
  }

  async function remove(uuid) {
    return (await db()).delete(STORE, uuid);
  }

  // What the server said, for the person: the field messages, else the problem's detail.
  function reasonOf(problem, fallback) {
    var messages = [];
    if (problem && problem.errors) {
      Object.keys(problem.errors).forEach(function (field) {
        messages = messages.concat(problem.errors[field]);
      });
    }
    if (!messages.length && problem && problem.detail) {
      messages.push(problem.detail);
    }
    return messages.join(" ") || fallback;
  }

  // Whether the contact as it stands already says what the change says.
  function holds(payload, current) {
    function plain(value) {
      if (Array.isArray(value)) {
        return JSON.stringify(value.map(String).sort());
      }
      var text = value === null || value === undefined ? "" : String(value);
      return /^\d\d:\d\d(:00)?$/.test(text) ? text.slice(0, 5) : text;
    }
    return Boolean(current) && Object.keys(payload).every(function (name) {
      return name === "version" || plain(payload[name]) === plain(current[name]);
    });
  }

  // Sends one item. Returns "sent", "attention", or "stop" (no connection, not signed in,
  // the server is down: the item waits and the rest wait behind it, in order).
  async function sendOne(item, options) {
    await update(item.client_uuid, { state: "sending" });
    var change = item.type === "change";
    var response;
    try {
      response = await scope.fetch(change ? options.endpoint + item.contact + "/" : options.endpoint, {
        method: change ? "PATCH" : "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": options.csrfToken,
        },
        body: JSON.stringify(item.payload),
      });
    } catch (error) {
      await update(item.client_uuid, { state: "waiting" });
      return "stop";
    }
    var problem = null;
    try {
      problem = await response.json();
    } catch (error) {
      problem = null;
    }
    if (response.ok) {
      await update(item.client_uuid, {
        state: "sent",
        contact: problem && problem.id,
        sent: new Date().toISOString(),
        reason: "",
      });
      return "sent";
    }
    if (change && response.status === 409 && problem && holds(item.payload, problem.current)) {
      // Sent before, its answer lost (the page closed mid-send): the server has the change.
      await update(item.client_uuid, {
        state: "sent", contact: item.contact, sent: new Date().toISOString(), reason: "",
      });
      return "sent";
    }
    var csrf = response.status === 403 && problem && /CSRF/.test(problem.detail || "");
    if (response.status === 401 || csrf || response.status === 429 || response.status >= 500) {
      await update(item.client_uuid, { state: "waiting" });
      return "stop";
    }
    await update(item.client_uuid, {
      state: "attention",
      reason: reasonOf(problem, options.refusedMessage || ""),
      status: response.status,
      // A conflict: the contact as it now stands, to show beside the person's change.
      current: response.status === 409 && problem ? problem.current || null : null,
    });
    return "attention";
  }

  // Sends the person's waiting items (and any left "sending" by a crash), oldest first,
  // one at a time, so the server receives them in the order they were logged.
  async function sync(user, options) {
    async function run() {
      var items = (await list(user)).filter(function (item) {
        return item.state === "waiting" || item.state === "sending";
      });
      for (var index = 0; index < items.length; index += 1) {
        if ((await sendOne(items[index], options)) === "stop") {
          return "stopped";
        }
        if (options.onProgress) {
          options.onProgress();
        }
      }
      return "done";
    }
    if (scope.navigator && scope.navigator.locks) {
      // One sender per browser, however many tabs are open.
      return scope.navigator.locks.request("psp-outbox-sync", run);
    }
    return run();
  }

  // Sign-out: what the server has is forgotten; what still waits stays for this person.
  async function forgetSent(user) {
    var items = await list(user);
    await Promise.all(items.filter(function (item) { return item.state === "sent"; })
      .map(function (item) { return remove(item.client_uuid); }));
  }

  scope.PSPOutbox = {
    add: add,
    addChange: addChange,
    keepMine: keepMine,
    apiName: function (name) { return API_NAMES[name] || name; },
    list: list,
    get: get,
    update: update,
    remove: remove,
    sync: sync,
    forgetSent: forgetSent,
    valuesOf: valuesOf,
    formValues: formValues,
    payloadOf: payloadOf,
  };
})(self);
