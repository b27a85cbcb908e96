// All page behaviour lives here: the CSP allows no inline script.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]")) { el.form.submit(); }
  });
  // The home page's charts. The tooltip is drawn inside the chart's own SVG (renderMode
  // "richText"): ECharts' HTML tooltip writes style attributes, which the CSP rightly refuses.
  function chartOn(id) {
    var box = document.getElementById(id);
    if (!box || typeof echarts === "undefined") { return null; }
    var chart = echarts.init(box, null, { renderer: "svg" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }
  var TIP = { trigger: "axis", renderMode: "richText", confine: true };
  function drawCharts() {
    var source = document.getElementById("dash-charts");
    if (!source) { return; }
    var d = JSON.parse(source.textContent);
    var monthly = chartOn("monthly-chart");
    if (monthly) {
      monthly.setOption({
        grid: { left: 30, right: 10, top: 10, bottom: 24 }, tooltip: TIP,
        xAxis: { type: "category", data: d.months }, yAxis: { type: "value", minInterval: 1 },
        series: [{ name: "记录数", type: "bar", data: d.monthly, itemStyle: { color: "#b02a37" } }]
      });
    }
    var done = chartOn("completion-chart");
    if (done) {
      var c = d.completion;
      done.setOption({
        grid: { left: 30, right: 10, top: 28, bottom: 24 }, tooltip: TIP,
        legend: { top: 0, itemWidth: 12, itemHeight: 10 },
        xAxis: { type: "category", data: d.months }, yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "已完成", type: "bar", stack: "s", data: c.met, itemStyle: { color: "#198754" } },
          { name: "未完成", type: "bar", stack: "s", data: c.missed, itemStyle: { color: "#b02a37" } },
          { name: "待完成", type: "bar", stack: "s", data: c.due, itemStyle: { color: "#e0a800" } }
        ]
      });
      done.on("click", function () { window.location.href = d.grid; });
    }
    var risk = chartOn("risk-chart");
    if (risk) {
      risk.setOption({
        grid: { left: 30, right: 10, top: 28, bottom: 24 }, tooltip: TIP,
        legend: { top: 0, itemWidth: 12, itemHeight: 10 },
        xAxis: { type: "category", data: d.risks.map(function (r) { return r.label; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "风险点", type: "bar", data: d.risks.map(function (r) { return r.n; }), itemStyle: { color: "#6c757d" } },
          { name: "未化解", type: "bar", data: d.risks.map(function (r) { return r.open; }), itemStyle: { color: "#b02a37" } }
        ]
      });
      risk.on("click", function (p) { window.location.href = d.risks[p.dataIndex].url; });
    }
  }
  document.addEventListener("DOMContentLoaded", drawCharts);
  // Proofreading: a finding's check box shows its fix as accepted in the text; the bulk buttons
  // set every box without a round trip (the server does the same when scripts are off).
  function markFinding(box) {
    var span = document.getElementById("finding-" + box.getAttribute("data-finding"));
    if (span) { span.classList.toggle("tz-accepted", box.checked); }
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[data-finding]")) { markFinding(el); }
  });
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("button[data-bulk]")) { return; }
    event.preventDefault();
    var on = el.getAttribute("data-bulk") === "accept";
    document.querySelectorAll("input[data-finding]").forEach(function (box) { box.checked = on; markFinding(box); });
  });
  // Record forms and lists (forms): a check-box group counts what is ticked and ticks all or none;
  // a list's select-all box ticks the rows; a form with errors moves focus to their summary.
  function countGroup(group) {
    var out = group.querySelector("[data-check-count]");
    if (!out) { return; }
    var n = group.querySelectorAll("input[type=checkbox]:checked").length;
    out.textContent = "已勾选 " + n + " " + (group.getAttribute("data-check-noun") || "人");
  }
  function initForms() {
    document.querySelectorAll("[data-check-group]").forEach(countGroup);
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", initForms);
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches) { return; }
    var group = el.closest("[data-check-group]");
    if (group) { countGroup(group); }
    if (el.matches("input[data-select-all]")) {
      var table = el.closest("form");
      if (table) { table.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = el.checked; }); }
    }
  });
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("button[data-check-all]")) { return; }
    var group = el.closest("[data-check-group]");
    var on = el.getAttribute("data-check-all") === "1";
    group.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = on; });
    countGroup(group);
  });
})();
// 无障碍 (a11y): a table wider than its box scrolls inside it; a keyboard user reaches that box with
// Tab and scrolls it with the arrow keys (WCAG 2.1.1), so a box that overflows becomes a tab stop.
(function () {
  "use strict";
  function focusableScrollers() {
    document.querySelectorAll(".table-responsive, .tz-grid-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);
  document.addEventListener("htmx:afterSettle", focusableScrollers);
})();
