// Grid figures: coverage per child region, or a village's households-per-member distribution.
(function () {
  "use strict";
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var builders = {
    children: function (d, title) {
      return {
        title: { text: title, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) {
          var i = ps[0].dataIndex, v = d.coverage[i];
          return d.names[i] + "<br>覆盖率：" + (v === null ? "—" : Number(v).toFixed(1) + "%") +
            "<br>户/党员（平均）：" + (d.mean[i] === null ? "—" : d.mean[i]);
        } },
        grid: { left: 8, right: 48, top: 36, bottom: 16, containLabel: true },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: d.names, inverse: true, axisLabel: { interval: 0, width: 96, overflow: "truncate" } },
        series: [{ type: "bar", data: d.coverage, barMaxWidth: 14, itemStyle: { color: "#b3261e" },
          label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "—" : Number(p.value).toFixed(1) + "%"; } } }]
      };
    },
    loads: function (rows, title) {
      return {
        title: { text: title, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis", formatter: function (ps) { return "联系 " + ps[0].name + " 户：" + ps[0].value + " 名党员"; } },
        grid: { left: 40, right: 16, top: 40, bottom: 36 },
        xAxis: { type: "category", name: "户", data: rows.map(function (r) { return r[0]; }) },
        yAxis: { type: "value", name: "人", minInterval: 1 },
        series: [{ type: "bar", data: rows.map(function (r) { return r[1]; }), itemStyle: { color: "#b3261e" }, label: { show: true, position: "top" } }]
      };
    }
  };
  Array.prototype.forEach.call(document.querySelectorAll("[data-grid-chart]"), function (el) {
    var build = builders[el.getAttribute("data-grid-chart")];
    var source = data(el.getAttribute("data-source"));
    if (!build || !source || typeof echarts === "undefined") return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(source, el.getAttribute("aria-label")));
    el.dataset.drawn = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
