// All page behaviour lives here: the CSP allows no inline script.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]")) { el.form.submit(); }
  });
  function drawMonthly() {
    var box = document.getElementById("monthly-chart");
    var data = document.getElementById("monthly-data");
    if (!box || !data || typeof echarts === "undefined") { return; }
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 30, right: 10, top: 10, bottom: 24 },
      xAxis: { type: "category", data: ["1月","2月","3月","4月","5月","6月","7月","8月","9月","10月","11月","12月"] },
      yAxis: { type: "value", minInterval: 1 },
      tooltip: { trigger: "axis" },
      series: [{ type: "bar", data: JSON.parse(data.textContent), itemStyle: { color: "#b02a37" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", drawMonthly);
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
})();
