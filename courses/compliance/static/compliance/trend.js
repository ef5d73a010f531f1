/* Draws the month trend from the JSON beside the table (the table is the accessible copy). */
(function () {
  var data = document.getElementById("cmp-trend-data");
  var canvas = document.getElementById("cmp-trend-chart");
  if (!data || !canvas || !window.Chart) return;
  var d = JSON.parse(data.textContent);
  canvas.parentElement.hidden = false;
  new window.Chart(canvas, {
    data: {
      labels: d.labels,
      datasets: [
        { type: "bar", label: d.names.on_time, data: d.on_time, backgroundColor: "#2e7d32", stack: "done" },
        { type: "bar", label: d.names.late, data: d.late, backgroundColor: "#f9a825", stack: "done" },
        { type: "bar", label: d.names.overdue, data: d.overdue, backgroundColor: "#c62828", stack: "overdue" },
        { type: "line", label: d.names.assigned, data: d.assigned, borderColor: "#1a4f8b", backgroundColor: "#1a4f8b" }
      ]
    },
    options: {
      maintainAspectRatio: false, animation: false,
      scales: { x: { stacked: true }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
