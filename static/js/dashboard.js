// The dashboard's charts: each <div class="chart"> carries its ECharts option and, per category, the URL of the
// rows behind it (data-option, data-links), so the page needs no inline script (CSP). A click opens the rows.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];
  document.querySelectorAll("div.chart[data-option]").forEach(function (el) {
    var option = JSON.parse(el.getAttribute("data-option"));
    var links = JSON.parse(el.getAttribute("data-links") || "[]");
    option.animation = false;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", function (params) {
      var url = links[params.dataIndex];
      if (url) { window.location.href = url; }
    });
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
