// Draws the cadre-structure charts from the JSON the page embeds (no network, no CDN).
(function () {
  "use strict";
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw(elId, dataId, kind) {
    var el = document.getElementById(elId);
    var rows = data(dataId);
    if (!el || !rows || typeof echarts === "undefined") return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var title = el.getAttribute("aria-label");
    var option;
    if (kind === "pie") {
      option = {
        title: { text: title, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item", formatter: "{b}：{c}人（{d}%）" },
        series: [{ type: "pie", radius: ["35%", "62%"], top: 24,
          data: rows.filter(function (r) { return r[1] > 0; }).map(function (r) { return { name: r[0], value: r[1] }; }) }]
      };
    } else {
      option = {
        title: { text: title, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        grid: { left: 40, right: 16, top: 40, bottom: 30 },
        xAxis: { type: "category", data: rows.map(function (r) { return r[0]; }), axisLabel: { interval: 0, fontSize: 11 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", data: rows.map(function (r) { return r[1]; }), itemStyle: { color: "#c0392b" }, label: { show: true, position: "top" } }]
      };
    }
    chart.setOption(option);
    el.dataset.drawn = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("chart-age", "data-age", "bar");
  draw("chart-education", "data-education", "pie");
})();
