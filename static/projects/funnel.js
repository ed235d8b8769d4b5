// The deal funnel page's two charts (Chart.js, vendored in static/vendor/chartjs/): deals per
// stage and median days between stages. The figures come from the json_script block
// "funnel-chart-data" (projects.analytics.export.chart_data); the tables on the page hold the
// same figures for screen readers and keyboard users, so the canvases are images.
(function () {
  "use strict";
  var source = document.getElementById("funnel-chart-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  function bars(canvasId, labels, values, color, whole) {
    var canvas = document.getElementById(canvasId);
    if (!canvas) { return; }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{ data: values, backgroundColor: color, borderRadius: 3 }]
      },
      options: {
        indexAxis: "y",  // horizontal bars: long stage names stay readable on a phone
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: whole ? { precision: 0 } : {} } }
      }
    });
  }

  bars("funnel-stages-chart", data.stages.labels, data.stages.counts, "#2f6fb0", true);
  bars("funnel-medians-chart", data.medians.labels, data.medians.days, "#3a9a5b", false);
})();
