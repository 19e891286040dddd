/* Dashboard charts: the data is the JSON block #dashboard-data (no inline script: the CSP forbids it).
   Chart.js comes from /static/vendor/chart.umd.min.js. Every number is also in the tables of the page. */
(function () {
  "use strict";
  var block = document.getElementById("dashboard-data");
  if (!block || typeof Chart === "undefined") { return; }
  var data = JSON.parse(block.textContent);
  var palette = ["#12355b", "#c8553d", "#2a9d8f", "#e9c46a", "#6d597a", "#8ab17d", "#b5838d", "#457b9d"];

  function lines(id, series) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    var datasets = Object.keys(series).map(function (key, i) {
      return { label: key, data: series[key], borderColor: palette[i % palette.length],
               backgroundColor: palette[i % palette.length], tension: 0.2 };
    });
    new Chart(canvas, {
      type: "line",
      data: { labels: data.days, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  lines("chart-channel", data.byChannel);
  lines("chart-lang", data.byLang);
  var topics = document.getElementById("chart-topics");
  if (topics) {
    new Chart(topics, {
      type: "bar",
      data: { labels: data.topTopics.labels,
              datasets: [{ label: topics.getAttribute("aria-label"), data: data.topTopics.counts,
                           backgroundColor: palette[0] }] },
      options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { display: false } },
                 scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  document.body.setAttribute("data-charts", "drawn");
}());
