// Charts for every <canvas data-chart="KIND" data-chart-data="JSON">: Chart.js 4 (static/vendor)
// draws the JSON the server put in the attribute (not json_script: htmx, configured with
// allowScriptTags=false, drops every <script> from swapped fragments). Initialised through
// htmx.onLoad, so a chart in a swapped fragment renders too; a chart is destroyed before its canvas
// is re-used or removed. Loaded (with the CSP nonce) only by pages that have charts.
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // "#0172ad" -> "rgba(1, 114, 173, 0.18)"; other colour syntaxes are returned unchanged.
  function withAlpha(color, alpha) {
    var hex = /^#([0-9a-f]{6})$/i.exec(color);
    if (!hex) return color;
    var n = parseInt(hex[1], 16);
    return "rgba(" + (n >> 16) + ", " + ((n >> 8) & 255) + ", " + (n & 255) + ", " + alpha + ")";
  }

  function palette() {
    var primary = cssVar("--pico-primary", "#0172ad");
    var muted = cssVar("--pico-muted-color", "#646b79");
    return {
      primary: primary,
      band: withAlpha(primary, 0.18),
      bars: withAlpha(muted.charAt(0) === "#" ? muted : "#646b79", 0.28),
      text: muted,
      grid: withAlpha(muted.charAt(0) === "#" ? muted : "#646b79", 0.15),
    };
  }

  function timeseries(data, colors) {
    var dense = data.labels.length > 60;
    return {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Min", data: data.min, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, fill: false, yAxisID: "y", order: 2 },
          // The band between min and max is this dataset (filled down to "Min"); its points are the maxima.
          { label: "Min–max", tooltipLabel: "Max", data: data.max, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, backgroundColor: colors.band, fill: "-1", yAxisID: "y", order: 2 },
          { label: "Mean", data: data.mean, borderColor: colors.primary, backgroundColor: colors.primary, borderWidth: 2, pointRadius: dense ? 0 : 2.5, yAxisID: "y", order: 1 },
          { type: "bar", label: "Count", data: data.count, backgroundColor: colors.bars, yAxisID: "count", order: 3 },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        spanGaps: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { color: colors.text, autoSkip: true, maxRotation: 0 }, grid: { display: false } },
          y: { suggestedMin: 0, suggestedMax: 1, title: { display: true, text: "Score", color: colors.text }, ticks: { color: colors.text }, grid: { color: colors.grid } },
          count: { position: "right", beginAtZero: true, title: { display: true, text: "Scores", color: colors.text }, ticks: { precision: 0, color: colors.text }, grid: { drawOnChartArea: false } },
        },
        plugins: {
          legend: { labels: { color: colors.text, filter: function (item) { return item.text !== "Min"; } } },
          tooltip: {
            callbacks: {
              label: function (item) {
                return (item.dataset.tooltipLabel || item.dataset.label) + ": " + item.formattedValue;
              },
            },
          },
        },
      },
    };
  }

  function histogram(data, colors) {
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: "Scores", data: data.count, backgroundColor: colors.primary, categoryPercentage: 1, barPercentage: 0.92 }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { color: colors.text, maxRotation: 0, autoSkip: true }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { precision: 0, color: colors.text }, grid: { color: colors.grid } },
        },
        plugins: { legend: { display: false } },
      },
    };
  }

  var BUILDERS = { timeseries: timeseries, histogram: histogram };

  function draw(canvas) {
    var build = BUILDERS[canvas.dataset.chart];
    if (!build || !canvas.dataset.chartData || typeof window.Chart === "undefined") return;
    var data = JSON.parse(canvas.dataset.chartData);
    var existing = window.Chart.getChart(canvas);
    if (existing) existing.destroy();
    new window.Chart(canvas, build(data, palette()));
  }

  function drawAll(root) {
    if (root.matches && root.matches("canvas[data-chart]")) draw(root);
    if (root.querySelectorAll) root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  // A canvas leaving the page (an htmx swap) takes its chart with it.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var el = event.target;
    if (window.Chart && el.matches && el.matches("canvas[data-chart]")) {
      var chart = window.Chart.getChart(el);
      if (chart) chart.destroy();
    }
  });

  if (window.htmx) {
    window.htmx.onLoad(drawAll);
  } else {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document.body); });
  }
})();
