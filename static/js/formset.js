// "Add another child": copies the empty form from a <template> and counts it in the
// formset's TOTAL_FORMS. Without JavaScript the page still works with one child.
(function () {
  "use strict";
  document.querySelectorAll("[data-psp-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-psp-formset-add");
    var container = document.querySelector('[data-psp-formset="' + prefix + '"]');
    var template = document.getElementById(prefix + "-template");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!container || !template || !total) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        return;
      }
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var added = holder.firstElementChild;
      container.appendChild(added);
      total.value = String(index + 1);
      var first = added.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
