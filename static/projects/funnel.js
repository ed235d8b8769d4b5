// The deal funnel page's two charts (Chart.js, vendored in static/vendor/chartjs/): deals per
// stage and median days between stages. The figures come from the json_script block
// "funnel-chart-data" (projects.analytics.export.chart_data); the tables on the page hold the
// same figures for screen readers and keyboard users, so the canvases are images.
// Every bar carries its value as a label (a small plugin of this file: no other library).
// The stage chart's axis is logarithmic: hundreds of listings would flatten a handful of
// deals to nothing on a linear axis. The optional 1:1 meeting's bar is paler. When every
// median is 0 days the bars have no length but their labels still say "0 days", and the page
// says in words that there is nothing to chart.
(function () {
  "use strict";
  var source = document.getElementById("funnel-chart-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  var valueLabels = {
    id: "keqiaoValueLabels",
    afterDatasetsDraw: function (chart, args, options) {
      var ctx = chart.ctx;
      var suffix = options.suffix || "";
      ctx.save();
      ctx.fillStyle = "#222";
      ctx.font = "12px sans-serif";
      ctx.textBaseline = "middle";
      chart.data.datasets.forEach(function (dataset, index) {
        chart.getDatasetMeta(index).data.forEach(function (bar, i) {
          var value = dataset.data[i];
          var text = value === null || value === undefined ? "–" : String(value) + suffix;
          var x = Number.isFinite(bar.x) ? bar.x : chart.chartArea.left;
          ctx.fillText(text, Math.max(x, chart.chartArea.left) + 4, bar.y);
        });
      });
      ctx.restore();
    }
  };

  function bars(canvasId, labels, values, colors, xScale, suffix) {
    var canvas = document.getElementById(canvasId);
    if (!canvas) { return; }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{ data: values, backgroundColor: colors, borderRadius: 3 }]
      },
      plugins: [valueLabels],
      options: {
        indexAxis: "y",  // horizontal bars: long stage names stay readable on a phone
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { right: 48 } },  // room for the last bar's label
        plugins: { legend: { display: false }, keqiaoValueLabels: { suffix: suffix } },
        scales: { x: xScale }
      }
    });
  }

  var stageColors = data.stages.optional.map(function (optional) {
    return optional ? "#a9c4e2" : "#2f6fb0";
  });
  // A logarithmic axis has no 0: a stage with no deal gets no bar, only its label "0".
  bars("funnel-stages-chart", data.stages.labels, data.stages.counts, stageColors,
       { type: "logarithmic", min: 0.5, ticks: { precision: 0 } }, "");
  bars("funnel-medians-chart", data.medians.labels, data.medians.days, "#3a9a5b",
       { beginAtZero: true }, data.medians.unit || "");
})();
