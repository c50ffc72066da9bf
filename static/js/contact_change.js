// Changing a contact already saved, on the tablet: without a connection the change goes into
// the outbox (outbox.js) with the version the form was opened at and what the form said
// then, so that only the fields the person changed are sent, and a change made elsewhere
// meanwhile comes back as a conflict for them to settle (offline.js lists it). A change still
// waiting is shown in the form when it is opened again; saved online, the form's own save
// replaces it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-psp-change]");
  var user = document.body.getAttribute("data-psp-user") || "";
  var outbox = window.PSPOutbox && user ? window.PSPOutbox : null;
  if (!form || !outbox) {
    return;
  }
  var contact = form.getAttribute("data-psp-change");
  var key = "change-" + contact;
  var status = document.getElementById("change-status");
  var hasErrors = Boolean(document.querySelector("[data-psp-error-summary]"));

  function fields() {
    return window.PSPOutbox.formValues(form);
  }

  function restore(values) {
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || !(name in values) || element.type === "submit" ||
          name === "csrfmiddlewaretoken" || name === "version") {
        return;
      }
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = [].concat(values[name]).indexOf(element.value) !== -1;
      } else {
        element.value = values[name];
      }
    });
    form.dispatchEvent(new Event("change"));
  }

  function labelOf(element) {
    var label = element && element.labels && element.labels[0];
    return label ? label.textContent.trim() : "";
  }

  // What the outbox shows for this change: each field's name, and the words for the codes.
  function details(original) {
    var labels = {};
    var choices = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrfmiddlewaretoken" || element.type === "hidden") {
        return;
      }
      if (element.type === "radio" || element.type === "checkbox") {
        choices[name] = choices[name] || {};
        choices[name][element.value] = labelOf(element);
        var group = element.closest("fieldset");
        var legend = group && group.querySelector("legend");
        labels[name] = labels[name] || (legend ? legend.textContent.trim() : name);
      } else if (element.tagName === "SELECT") {
        choices[name] = {};
        Array.prototype.forEach.call(element.options, function (option) {
          choices[name][option.value] = option.textContent.trim();
        });
        labels[name] = labelOf(element) || name;
      } else {
        labels[name] = labelOf(element) || name;
      }
    });
    var family = form.querySelector("input[name=case]:checked");
    var kind = form.querySelector("input[name=activity_type]:checked");
    return {
      original: original,
      labels: labels,
      choices: choices,
      family: labelOf(family),
      kind: labelOf(kind),
    };
  }

  function say(message, reason) {
    status.querySelector("[data-change-message]").textContent = message;
    status.querySelector("[data-change-reason]").textContent = reason || "";
    status.classList.toggle("alert-warning", Boolean(reason));
    status.classList.toggle("alert-info", !reason);
    status.hidden = false;
  }

  // The form as the server showed it: what "changed" is measured against. A page shown again
  // with errors is not the original; then every field counts as changed.
  var original = hasErrors ? null : fields();

  outbox.get(key).then(function (item) {
    if (!item || item.user !== user || item.state === "sent") {
      return;
    }
    if (!hasErrors) {
      restore(item.values);
    }
    if (item.state === "attention") {
      say(form.getAttribute("data-msg-change-refused"), item.reason);
    } else {
      say(form.getAttribute("data-msg-change-waiting"));
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    event.stopImmediatePropagation();
    var values = fields();
    if (navigator.onLine) {
      // Saved through the form, over the version it shows: a change kept earlier is replaced.
      outbox.remove(key).catch(function () { return null; }).then(function () {
        HTMLFormElement.prototype.submit.call(form);
      });
      return;
    }
    outbox.addChange(user, contact, values, details(original)).then(function () {
      say(form.getAttribute("data-msg-change-queued"));
      status.focus();
    });
  }, true);
})();
