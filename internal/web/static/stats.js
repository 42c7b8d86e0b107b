// stats.js draws the charts of the statistics pages with Apache ECharts
// (/static/vendor/echarts/echarts.min.js, loaded before this file). Each
// chart is a <div class="chart" data-chart="ID"> whose data is the JSON of
// <script type="application/json" id="ID">: {kind, labels, series:
// [{name, data, links, key}]}. A click on a bar, slice or point opens the
// list behind it. The table under each chart holds the same numbers, so
// the page works without this file.
(function () {
  "use strict";
  var palette = { red: "#c9302c", yellow: "#e0a800", green: "#3c8d3f", male: "#3a6ea5", female: "#c0504d" };
  var colourKeys = ["red", "yellow", "green"];

  function option(d) {
    var tooltip = { trigger: "item", confine: true };
    switch (d.kind) {
      case "bar":
        return {
          tooltip: tooltip, grid: { left: 40, right: 16, top: 16, bottom: 40, containLabel: true },
          xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 30 : 0 } },
          yAxis: { type: "value", minInterval: 1 },
          series: [{ type: "bar", name: d.series[0].name, data: d.series[0].data, label: { show: true, position: "top" } }]
        };
      case "pyramid":
        return {
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, valueFormatter: function (v) { return Math.abs(v); } },
          legend: { top: 0 },
          grid: { left: 16, right: 16, top: 32, bottom: 16, containLabel: true },
          xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: function (v) { return Math.abs(v); } } },
          yAxis: { type: "category", data: d.labels, axisTick: { show: false } },
          series: d.series.map(function (s, i) {
            return {
              type: "bar", name: s.name, stack: "people", barCategoryGap: "10%", color: palette[s.key],
              data: s.data.map(function (n) { return i === 0 ? -n : n; })
            };
          })
        };
      case "donut":
        return {
          tooltip: tooltip, legend: { bottom: 0 },
          series: [{
            type: "pie", radius: ["40%", "68%"], name: d.series[0].name,
            label: { formatter: "{b}: {c} ({d}%)" },
            data: d.labels.map(function (l, i) {
              var item = { name: l, value: d.series[0].data[i] };
              if (d.series[0].key === "colours") { item.itemStyle = { color: palette[colourKeys[i]] }; }
              return item;
            })
          }]
        };
      case "stacked":
        return {
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true }, legend: { top: 0 },
          grid: { left: 16, right: 16, top: 32, bottom: 16, containLabel: true },
          xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 5 ? 30 : 0 } },
          yAxis: { type: "value", minInterval: 1 },
          series: d.series.map(function (s) { return { type: "bar", name: s.name, stack: "households", data: s.data, color: palette[s.key] }; })
        };
      case "line":
        return {
          tooltip: { trigger: "axis", confine: true }, legend: { top: 0, type: "scroll" },
          grid: { left: 16, right: 16, top: 40, bottom: 16, containLabel: true },
          xAxis: { type: "category", data: d.labels, boundaryGap: false },
          yAxis: { type: "value", minInterval: 1 },
          series: d.series.map(function (s) { return { type: "line", name: s.name, data: s.data, smooth: false, symbolSize: 6 }; })
        };
    }
    return null;
  }

  function draw(el) {
    var src = document.getElementById(el.getAttribute("data-chart"));
    if (!src) { return null; }
    var d = JSON.parse(src.textContent);
    var opt = option(d);
    if (!opt) { return null; }
    var chart = window.echarts.init(el);
    chart.setOption(opt);
    chart.on("click", function (p) {
      var s = d.series[p.seriesIndex] || d.series[0];
      var link = s && s.links && s.links[p.dataIndex];
      if (link) { window.location.href = link; }
    });
    return chart;
  }

  function start() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var c = draw(el);
      if (c) { charts.push(c); }
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
