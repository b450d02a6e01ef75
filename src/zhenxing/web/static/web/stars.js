// Draws the star distribution from the JSON the page embeds (no network, no CDN).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-stars-chart]"), function (el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof echarts === "undefined") return;
    var rows = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      title: { text: el.getAttribute("aria-label"), left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", formatter: function (ps) { return ps[0].name + "：" + ps[0].value + " 个村（社区）"; } },
      grid: { left: 40, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: rows.map(function (r) { return r[1]; }), itemStyle: { color: "#c0392b" }, label: { show: true, position: "top" } }]
    });
    el.dataset.drawn = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
