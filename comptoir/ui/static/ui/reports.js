/* Reports: draws each chart from the JSON data element its canvas names (the table beside
   it holds the same numbers). No inline script: the page's CSP allows only this file and
   the vendored Chart.js. */
(function () {
  "use strict";
  var colours = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    spec.datasets.forEach(function (set, index) {
      var colour = colours[index % colours.length];
      set.borderColor = colour;
      set.backgroundColor = spec.type === "line" ? colour : colour + "cc";
      set.spanGaps = true;
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.type === "bar" && spec.labels.length > 8 ? "y" : "x",
        scales: { y: { beginAtZero: true } },
      },
    });
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
