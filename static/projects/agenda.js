/* The agenda page of a roadshow (host staff): drag a project by its handle to move it
   (SortableJS, static/vendor/sortablejs/); on drop the new order is posted through the page's
   reorder form, the same form and service as the up and down buttons, which work without
   this script and from the keyboard. */
(function () {
  "use strict";
  var list = document.querySelector("[data-sortable]");
  var form = document.getElementById("reorder-form");
  if (!list || !form || typeof window.Sortable === "undefined") { return; }
  var handles = list.querySelectorAll(".drag-handle");
  for (var i = 0; i < handles.length; i += 1) { handles[i].classList.add("active"); }
  window.Sortable.create(list, {
    handle: ".drag-handle",
    draggable: ".agenda-row",
    animation: 150,
    onEnd: function (event) {
      if (event.oldIndex === event.newIndex) { return; }
      var old = form.querySelectorAll("input[name=slot_ids]");
      for (var j = 0; j < old.length; j += 1) { old[j].remove(); }
      var rows = list.querySelectorAll(".agenda-row");
      for (var k = 0; k < rows.length; k += 1) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "slot_ids";
        input.value = rows[k].getAttribute("data-slot-id");
        form.appendChild(input);
      }
      list.setAttribute("aria-busy", "true");
      form.submit();
    }
  });
}());
