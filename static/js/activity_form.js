// The tablet contact log: keeps a draft in this browser while the Parent Partner types and
// offers it back after a reload. Saved with no connection, the contact goes into the
// outbox (outbox.js; offline.js lists and sends it) as one more item with its own
// client_uuid, and the form is ready for the next one. The service worker does the same
// for a form sent just as the connection went. Drafts are cleared at sign-out (psp.js).
(function () {
  "use strict";
  var form = document.querySelector("form[data-psp-draft]");
  if (!form) {
    return;
  }
  var key = "psp-draft:" + form.getAttribute("data-psp-draft");
  var status = document.getElementById("draft-status");
  var queuedStatus = document.getElementById("queued-status");
  var retryStatus = document.getElementById("retry-status");
  var user = document.body.getAttribute("data-psp-user") || "";
  var outbox = window.PSPOutbox && user ? window.PSPOutbox : null;
  var params = new URLSearchParams(window.location.search);
  var uuidField = form.querySelector("input[name=client_uuid]");

  function read() {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }
  function write(draft) {
    try {
      window.localStorage.setItem(key, JSON.stringify(draft));
    } catch (error) {
      // Storage full or disabled: the form still works, without a draft.
    }
  }
  function clear() {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      // nothing to clear
    }
  }
  function fields() {
    return window.PSPOutbox.formValues(form);
  }

  function restore(values) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || !(element.name in values) || element.type === "submit") {
        return;
      }
      var value = values[element.name];
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = value.indexOf(element.value) !== -1;
      } else if (element.name !== "csrfmiddlewaretoken") {
        element.value = value;
      }
    });
  }
  function hasContent(values) {
    return Boolean(values.notes || (values.activity_type && values.activity_type.length));
  }
  function save() {
    var values = fields();
    if (!hasContent(values)) {
      return;
    }
    write({ values: values, savedAt: new Date().toISOString() });
  }
  function newContact() {
    // The form may come from the tablet's cache: every contact needs a client_uuid of its own.
    if (window.crypto && window.crypto.randomUUID) {
      uuidField.value = window.crypto.randomUUID();
    }
  }
  function chosenLabel(name) {
    var chosen = form.querySelector("input[name=" + name + "]:checked");
    var label = chosen && chosen.labels && chosen.labels[0];
    return label ? label.textContent.trim() : "";
  }
  function sayQueued(item) {
    queuedStatus.querySelector("[data-queued-message]").textContent = form
      .getAttribute("data-msg-queued")
      .replace("%(kind)s", item.kind || item.payload.activity_type)
      .replace("%(family)s", item.family || "");
    queuedStatus.hidden = false;
    queuedStatus.focus();
  }

  // The page after a successful save names the note it saved: that draft is done, and so
  // is an outbox item sent again through the form ("Edit and retry").
  var savedUuid = form.getAttribute("data-psp-saved-uuid");
  var hasErrors = Boolean(document.querySelector("[data-psp-error-summary]"));
  if (savedUuid && outbox) {
    outbox.get(savedUuid).then(function (item) {
      return item && outbox.remove(savedUuid);
    });
  }
  var queued = params.get("queued");
  var draft = read();
  if (draft && ((savedUuid && draft.values.client_uuid === savedUuid) ||
      (queued && draft.values.client_uuid === queued))) {
    clear();
    draft = null;
  }
  if (!hasErrors) {
    newContact();
  }
  // Opened from the tablet's cache, the form knows nothing of ?case=: choose it here.
  var chosenCase = params.get("case");
  if (chosenCase && !hasErrors) {
    var caseRadio = form.querySelector('input[name="case"][value="' + CSS.escape(chosenCase) + '"]');
    if (caseRadio) {
      caseRadio.checked = true;
    }
  }
  if (queued && outbox) {
    // The service worker kept a contact this form sent as the connection went.
    outbox.get(queued).then(function (item) {
      if (item) {
        sayQueued(item);
      }
    });
  }
  var retrying = params.get("retry");
  if (retrying && outbox && !hasErrors) {
    // "Edit and retry": the refused contact back in the form, under its own client_uuid.
    outbox.get(retrying).then(function (item) {
      if (!item || item.user !== user) {
        return;
      }
      restore(item.values);
      uuidField.value = item.client_uuid;
      retryStatus.querySelector("[data-retry-reason]").textContent = item.reason;
      retryStatus.hidden = false;
      form.dispatchEvent(new Event("change"));
    });
  } else if (draft && !hasErrors) {
    restore(draft.values);
    // The time in the page's language, as the server writes times (1:20 PM; es 13:20).
    var time = new Date(draft.savedAt).toLocaleTimeString(
      [document.documentElement.lang || "en", "en"], { hour: "numeric", minute: "2-digit" }
    );
    status.querySelector("[data-draft-message]").textContent =
      form.getAttribute("data-msg-kept").replace("%(time)s", time);
    status.hidden = false;
  }
  status.querySelector("[data-draft-discard]").addEventListener("click", function () {
    clear();
    window.location.reload();
  });

  // Back online, the outbox sends what it kept (offline.js): "will be sent" is no longer news.
  window.addEventListener("online", function () { queuedStatus.hidden = true; });

  form.addEventListener("input", save);
  form.addEventListener("change", save);

  function labelFields() {
    // For the outbox's list, which has no page to look the family up in.
    [["offline_family", chosenLabel("case")], ["offline_kind", chosenLabel("activity_type")]]
      .forEach(function (pair) {
        var field = form.querySelector("input[name=" + pair[0] + "]");
        if (!field) {
          field = document.createElement("input");
          field.type = "hidden";
          field.name = pair[0];
          form.appendChild(field);
        }
        field.value = pair[1];
      });
  }

  // Without a connection the server cannot check the form: the tablet asks what it would
  // ask (the form's own messages, given by the page) before keeping the contact.
  var checksData = document.getElementById("offline-checks");
  var checks = checksData ? JSON.parse(checksData.textContent) : null;

  function answered(name) {
    var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    return Array.prototype.some.call(fields, function (field) {
      if (field.type === "radio" || field.type === "checkbox") {
        return field.checked;
      }
      return field.value.trim() !== "";
    });
  }

  function offlineProblems() {
    if (!checks) {
      return [];
    }
    var problems = [];
    Object.keys(checks.required).forEach(function (name) {
      if (!answered(name)) {
        problems.push({ name: name, message: checks.required[name] });
      }
    });
    var kind = form.querySelector('input[name="activity_type"]:checked');
    if (kind && kind.value === "resource_linkage" && !answered("resource")) {
      problems.push({ name: "resource", message: checks.resource });
    }
    var day = form.querySelector('input[name="date"]');
    var zone = form.querySelector("[data-psp-time-zone]");
    var today = window.PSPDates.localIsoDate(0, zone && zone.getAttribute("data-psp-time-zone"));
    if (day && day.value && day.value > today) {
      problems.push({ name: "date", message: checks.future });
    }
    return problems;
  }

  // The GOV.UK error summary above the form and a message at each field, as the server
  // writes them (templates/includes/error_summary_list.html and field.html).
  function showProblems(problems) {
    document.querySelectorAll("[data-offline-problem]").forEach(function (old) { old.remove(); });
    form.querySelectorAll(".is-invalid[data-offline-invalid]").forEach(function (field) {
      field.classList.remove("is-invalid");
      field.removeAttribute("data-offline-invalid");
      var before = field.getAttribute("data-offline-describedby");
      if (before) {
        field.setAttribute("aria-describedby", before);
      } else {
        field.removeAttribute("aria-describedby");
      }
    });
    if (!problems.length) {
      return false;
    }
    var summary = document.createElement("div");
    summary.className = "alert alert-danger error-summary";
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    summary.setAttribute("data-psp-error-summary", "");
    summary.setAttribute("data-offline-problem", "");
    summary.setAttribute("aria-labelledby", "offline-summary-title");
    var title = document.createElement("h2");
    title.className = "h5";
    title.id = "offline-summary-title";
    title.textContent = checks.title;
    var list = document.createElement("ul");
    list.className = "mb-0";
    summary.appendChild(title);
    summary.appendChild(list);
    problems.forEach(function (problem) {
      var fields = form.querySelectorAll('[name="' + CSS.escape(problem.name) + '"]');
      var first = fields[0];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.className = "alert-link";
      link.textContent = problem.message;
      if (first && first.id) {
        link.href = "#" + first.id;
      }
      item.appendChild(link);
      list.appendChild(item);
      var container = document.getElementById("div_id_" + problem.name);
      if (!container) {
        return;
      }
      var message = document.createElement("div");
      message.className = "invalid-feedback d-block";
      message.id = "offline-error-" + problem.name;
      message.setAttribute("data-offline-problem", "");
      var strong = document.createElement("strong");
      strong.textContent = problem.message;
      message.appendChild(strong);
      (container.querySelector("fieldset") || container).appendChild(message);
      fields.forEach(function (field) {
        field.classList.add("is-invalid");
        field.setAttribute("data-offline-invalid", "");
        var before = field.getAttribute("aria-describedby");
        if (before && !field.hasAttribute("data-offline-describedby")) {
          field.setAttribute("data-offline-describedby", before);
        }
        field.setAttribute("aria-describedby", ((before || "") + " " + message.id).trim());
      });
    });
    form.parentNode.insertBefore(summary, form);
    summary.focus();
    return true;
  }

  form.addEventListener("submit", function (event) {
    labelFields();
    if (navigator.onLine || !outbox) {
      save();
      return;  // sent as a normal form; the service worker keeps it if the connection drops
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    delete form.dataset.pspSubmitted;
    // Checked here, as the server would, so that a contact kept offline is one it will take.
    if (showProblems(offlineProblems())) {
      return;
    }
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    var values = window.PSPOutbox.valuesOf(data);
    var another = Boolean(values.another);
    var labels = { family: values.offline_family, kind: values.offline_kind };
    outbox.add(user, values, labels).then(function (item) {
      clear();
      form.reset();
      retryStatus.hidden = true;
      status.hidden = true;
      if (another) {
        var same = form.querySelector('input[name="case"][value="' + CSS.escape(values["case"]) + '"]');
        if (same) {
          same.checked = true;
        }
      }
      newContact();
      form.dispatchEvent(new Event("change"));
      if (window.PSPOfflinePage) {
        window.PSPOfflinePage.render();
      }
      sayQueued(item);
    });
  }, true);

  // Fields that belong to one kind of contact (the resource for "Connected to a resource",
  // the next hearing date for a court hearing) show only when that kind is chosen.
  var typedFields = form.querySelectorAll("[data-show-for-type]");
  function toggleTypedFields() {
    var chosen = form.querySelector('input[name="activity_type"]:checked');
    typedFields.forEach(function (field) {
      var wanted = field.getAttribute("data-show-for-type");
      field.hidden = !(chosen && chosen.value === wanted) && !field.querySelector(".is-invalid");
    });
  }
  if (typedFields.length) {
    form.addEventListener("change", toggleTypedFields);
    toggleTypedFields();
  }
})();
