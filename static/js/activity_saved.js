// After a contact is saved, forget the draft (or the outbox item) it came from.
(function () {
  "use strict";
  var saved = document.querySelector("[data-psp-saved-uuid]");
  if (!saved) {
    return;
  }
  var uuid = saved.getAttribute("data-psp-saved-uuid");
  try {
    Object.keys(window.localStorage).forEach(function (key) {
      if (key.indexOf("psp-draft:") !== 0) {
        return;
      }
      var draft = JSON.parse(window.localStorage.getItem(key) || "null");
      if (draft && draft.values && draft.values.client_uuid === uuid) {
        window.localStorage.removeItem(key);
      }
    });
  } catch (error) {
    // Storage disabled: nothing was kept.
  }
  // A contact from the outbox sent again through the form ("Edit and retry") is done too.
  var user = document.body.getAttribute("data-psp-user");
  if (window.PSPOutbox && user) {
    window.PSPOutbox.get(uuid).then(function (item) {
      return item && item.user === user && window.PSPOutbox.remove(uuid);
    });
  }
})();
