/* Draws the trend from the JSON beside the table (the table is the accessible copy). */
(function () {
  var data = document.getElementById("ind-trend-data");
  var canvas = document.getElementById("ind-trend-chart");
  if (!data || !canvas || !window.Chart) return;
  var d = JSON.parse(data.textContent);
  canvas.parentElement.hidden = false;
  var datasets = [{ type: "line", label: d.names.value, data: d.values, borderColor: "#1a4f8b", backgroundColor: "#1a4f8b", spanGaps: true }];
  if (d.target !== null) {
    datasets.push({ type: "line", label: d.names.target, data: d.labels.map(function () { return d.target; }), borderColor: "#c62828", borderDash: [6, 4], pointRadius: 0 });
  }
  new window.Chart(canvas, {
    data: { labels: d.labels, datasets: datasets },
    options: {
      maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
