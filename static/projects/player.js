/* The audience page's stream player (templates/projects/_live_player.html): when the browser
   refuses the player frame (a Content-Security-Policy frame-src violation, e.g. a player that
   redirects to a host outside the allowed stream hosts, which would leave a broken-page
   icon) or the frame reports an error, the frame is removed and the fallback text with the
   link to the stream shows in its place. No network requests; no inline script (CSP). */
(function () {
  "use strict";
  var box = document.querySelector("[data-player]");
  var frame = box && box.querySelector("iframe");
  if (!frame) { return; }

  function fail() {
    if (!frame.parentNode) { return; }
    frame.parentNode.removeChild(frame);
    box.classList.add("stream-failed");
    var loading = box.querySelector("[data-player-state=loading]");
    var failed = box.querySelector("[data-player-state=failed]");
    if (loading) { loading.hidden = true; }
    if (failed) { failed.hidden = false; }
  }

  document.addEventListener("securitypolicyviolation", function (ev) {
    var directive = ev.effectiveDirective || ev.violatedDirective || "";
    if (directive.indexOf("frame-src") === 0 || directive.indexOf("child-src") === 0) { fail(); }
  });
  frame.addEventListener("error", fail);
}());
