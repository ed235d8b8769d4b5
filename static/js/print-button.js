/* Printables of the meetings console: a [data-print] button opens the browser's print
   dialogue (the page's print style puts each sheet on a page of its own). */
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
