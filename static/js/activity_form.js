// The tablet contact log: keeps a draft in this browser while the Parent Partner types,
// offers it back after a reload, holds the note when there is no connection and sends it
// when the connection returns. Drafts are cleared at sign-out (psp.js).
(function () {
  "use strict";
  var form = document.querySelector("form[data-psp-draft]");
  if (!form) {
    return;
  }
  var key = "psp-draft:" + form.getAttribute("data-psp-draft");
  var status = document.getElementById("draft-status");
  var offline = document.getElementById("offline-status");

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
  function save(pending) {
    var values = fields();
    if (!hasContent(values) && !pending) {
      return;
    }
    var previous = read();
    write({
      values: values,
      savedAt: new Date().toISOString(),
      pending: Boolean(pending || (previous && previous.pending)),
    });
  }
  function showPending() {
    offline.hidden = false;
    offline.querySelector("[data-pending-count]").textContent = form.getAttribute("data-msg-pending");
  }

  // The page after a successful save names the note it saved: that draft is done.
  var savedUuid = form.getAttribute("data-psp-saved-uuid");
  var draft = read();
  if (draft && savedUuid && draft.values.client_uuid === savedUuid) {
    clear();
    draft = null;
  }
  var hasErrors = Boolean(document.querySelector("[data-psp-error-summary]"));
  if (draft && !hasErrors) {
    restore(draft.values);
    // The time in the page's language, as the server writes times (1:20 PM; es 13:20).
    var time = new Date(draft.savedAt).toLocaleTimeString(
      [document.documentElement.lang || "en", "en"], { hour: "numeric", minute: "2-digit" }
    );
    status.querySelector("[data-draft-message]").textContent =
      form.getAttribute("data-msg-kept").replace("%(time)s", time);
    status.hidden = false;
    if (draft.pending) {
      showPending();
    }
  }
  status.querySelector("[data-draft-discard]").addEventListener("click", function () {
    clear();
    window.location.reload();
  });

  form.addEventListener("input", function () { save(false); });
  form.addEventListener("change", function () { save(false); });

  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) {
      event.preventDefault();
      event.stopImmediatePropagation();
      delete form.dataset.pspSubmitted;
      save(true);
      showPending();
      return;
    }
    save(false);
  }, true);

  window.addEventListener("online", function () {
    var current = read();
    if (current && current.pending) {
      offline.hidden = true;
      form.requestSubmit();
    }
  });

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
