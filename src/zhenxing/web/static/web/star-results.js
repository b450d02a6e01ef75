// The star results by township: villages per star count stacked per township, and the share at
// three stars or more on a second axis. Data comes from the JSON the page embeds (no network).
(function () {
  "use strict";
  var COLORS = { 5: "#b3261e", 4: "#d9534f", 3: "#f0a35e", 2: "#f4d28a", 1: "#cfd8dc", 0: "#90a4ae" };
  Array.prototype.forEach.call(document.querySelectorAll("[data-results-chart]"), function (el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var narrow = el.clientWidth < 480;
    var series = data.series.map(function (s) {
      return {
        name: s.name, type: "bar", stack: "villages", data: s.data, barMaxWidth: 56,
        itemStyle: { color: COLORS[s.stars] || "#999" },
        label: { show: true, formatter: function (p) { return p.value ? p.value : ""; } }
      };
    });
    series.push({
      name: data.share_name, type: "line", yAxisIndex: 1, data: data.share, symbolSize: 8,
      itemStyle: { color: "#1f5fa8" },
      label: {
        show: true, position: "top", color: "#1f5fa8", fontWeight: "bold",
        backgroundColor: "rgba(255,255,255,.85)", padding: [1, 3], borderRadius: 3,
        formatter: function (p) { return p.value == null ? "" : p.value + "%"; }
      }
    });
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      title: { text: el.getAttribute("aria-label"), left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0, itemWidth: 14, itemHeight: 10, textStyle: { fontSize: narrow ? 11 : 12 } },
      grid: { left: 40, right: 48, top: 44, bottom: narrow ? 64 : 48 },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0 } },
      yAxis: [
        { type: "value", minInterval: 1, name: narrow ? "" : data.unit, nameTextStyle: { align: "left" } },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }
      ],
      series: series
    });
    el.dataset.drawn = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
