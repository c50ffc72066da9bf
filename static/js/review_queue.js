// The review queue: "Choose all on this page" ticks every contact shown for signing off
// together (or clears them when all are ticked). Without JavaScript each box is ticked by hand.
(function () {
  "use strict";
  var button = document.querySelector("[data-choose-all]");
  if (!button) {
    return;
  }
  var boxes = document.querySelectorAll('input[type=checkbox][form="bulk-review"]');
  button.hidden = false;
  button.addEventListener("click", function () {
    var all = Array.prototype.every.call(boxes, function (box) { return box.checked; });
    boxes.forEach(function (box) { box.checked = !all; });
  });
})();
