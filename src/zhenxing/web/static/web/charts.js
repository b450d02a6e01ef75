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

  // Service figures: elements marked data-chart="levels|trend|rates" read the JSON named by
  // data-source. Rates are percentages with one decimal; null (no data) shows as a dash.
  var RED = "#b3261e", ORANGE = "#e8a33d", BLUE = "#2f6fb0", GREEN = "#1a7f37";
  function percent(v) { return v === null || v === undefined ? "—" : Number(v).toFixed(1) + "%"; }
  var serviceCharts = {
    levels: function (rows, title) {
      return {
        title: { text: title, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item", formatter: "{b}：{c}件（{d}%）" },
        legend: { bottom: 0, itemWidth: 12, itemHeight: 12 },
        color: [RED, ORANGE, BLUE],
        series: [{ type: "pie", radius: ["35%", "60%"], center: ["50%", "52%"], percentPrecision: 1,
          label: { formatter: "{b}\n{d}%" },
          data: rows.filter(function (r) { return r[1] > 0; }).map(function (r) { return { name: r[0], value: r[1] }; }) }]
      };
    },
    trend: function (d, title) {
      return {
        title: { text: title, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis", valueFormatter: null, formatter: function (ps) {
          return ps[0].axisValueLabel + ps.map(function (p) {
            return "<br>" + p.marker + p.seriesName + "：" + (p.seriesIndex === 0 ? p.value + "件" : percent(p.value));
          }).join("");
        } },
        legend: { bottom: 0, itemWidth: 12, itemHeight: 12 },
        grid: { left: 44, right: 48, top: 56, bottom: 52 },
        xAxis: { type: "category", data: d.months, axisLabel: { fontSize: 11 } },
        yAxis: [
          { type: "value", minInterval: 1, name: "件", nameTextStyle: { fontSize: 11 } },
          { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }
        ],
        color: [RED, BLUE, GREEN],
        series: d.series.map(function (s) {
          return s.kind === "count"
            ? { name: s.name, type: "bar", data: s.data, barMaxWidth: 24 }
            : { name: s.name, type: "line", yAxisIndex: 1, data: s.data, connectNulls: true, symbolSize: 6 };
        })
      };
    },
    rates: function (d, title) {
      return {
        title: { text: title, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) {
          var i = ps[0].dataIndex;
          return ps[0].name + "（受理" + d.received[i] + "件）" + ps.map(function (p) {
            return "<br>" + p.marker + p.seriesName + "：" + percent(p.value);
          }).join("");
        } },
        legend: { bottom: 0, itemWidth: 12, itemHeight: 12 },
        grid: { left: 8, right: 36, top: 36, bottom: 32, containLabel: true },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: d.names, inverse: true, axisLabel: { interval: 0, width: 96, overflow: "truncate" } },
        color: [ORANGE, RED, BLUE],
        series: d.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.data, barMaxWidth: 10, barGap: "15%" };
        })
      };
    }
  };
  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (el) {
    var build = serviceCharts[el.getAttribute("data-chart")];
    var source = data(el.getAttribute("data-source"));
    if (!build || !source || typeof echarts === "undefined") return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(source, el.getAttribute("aria-label")));
    el.dataset.drawn = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
