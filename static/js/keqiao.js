/* Keqiao (科桥) site script: small progressive enhancements only; every page works without it.

   <details data-open-wide>: open on wide screens (the search filters are a sidebar there),
   closed by default on phones so the first screen shows results. The breakpoint matches
   .layout in keqiao.css. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var wide = window.matchMedia("(min-width: 760px)");
  function apply() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (el) {
      el.open = wide.matches;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", apply);
  } else {
    apply();
  }
  if (wide.addEventListener) {
    wide.addEventListener("change", apply);
  }
})();
