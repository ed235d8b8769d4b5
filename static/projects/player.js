/* The audience page's stream player (templates/projects/_live_player.html): when the browser
   refuses the player frame (a Content-Security-Policy frame-src violation, e.g. a player that
   redirects to a host outside the allowed stream hosts, which would leave a broken-page
   icon) or the frame reports an error, the frame is removed and the fallback text with the
   link to the stream shows in its place. The loading text goes once the frame has loaded
   (whatever it shows: an unreachable player host gets the browser's own error page, and load
   still fires) or after LOADING_TIMEOUT_MS; the link under the player stays for those cases.
   No network requests; no inline script (CSP). */
(function () {
  "use strict";
  var box = document.querySelector("[data-player]");
  var frame = box && box.querySelector("iframe");
  if (!frame) { return; }
  var LOADING_TIMEOUT_MS = 15000;

  function loadingDone() {
    var loading = box.querySelector("[data-player-state=loading]");
    if (loading) { loading.hidden = true; }
    box.classList.add("stream-settled");
  }

  function fail() {
    if (!frame.parentNode) { return; }
    frame.parentNode.removeChild(frame);
    box.classList.add("stream-failed");
    var loading = box.querySelector("[data-player-state=loading]");
    var failed = box.querySelector("[data-player-state=failed]");
    if (loading) { loading.hidden = true; }
    if (failed) { failed.hidden = false; }
  }

  function refusesFrames(directive) {
    directive = directive || "";
    return directive.indexOf("frame-src") === 0 || directive.indexOf("child-src") === 0;
  }

  document.addEventListener("securitypolicyviolation", function (ev) {
    if (refusesFrames(ev.effectiveDirective || ev.violatedDirective)) { fail(); }
  });
  // The frame may be refused before this deferred script runs, when the event above has
  // already fired: the Reporting API hands over earlier CSP reports too (buffered).
  if (window.ReportingObserver) {
    try {
      new window.ReportingObserver(function (reports) {
        reports.forEach(function (report) {
          if (report.body && refusesFrames(report.body.effectiveDirective)) { fail(); }
        });
      }, { types: ["csp-violation"], buffered: true }).observe();
    } catch (ignored) { /* older browsers: the event listener alone */ }
  }
  frame.addEventListener("error", fail);
  frame.addEventListener("load", loadingDone);
  window.setTimeout(loadingDone, LOADING_TIMEOUT_MS);
}());
