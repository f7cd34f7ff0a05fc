// The staff overview's charts (/staff/): signups, FULL users, trades opened and net PnL per UTC day, from the
// page's #staff-chart-data ({signups, full_users: [[epoch s, n]], trades/pnl: {paper, live: [[epoch s, v]]}}).
// Paper and live are two series of one chart, kept apart by colour.
(function () {
  "use strict";

  function points(pairs) {
    return pairs.map(([time, value]) => ({ time, value }));
  }

  function drawChart(LW, chartTheme, id, series) {
    const element = document.getElementById(id);
    if (!element) return;
    let theme = chartTheme.colours();
    const chart = LW.createChart(element, { autoSize: true, ...chartTheme.chartOptions(theme) });
    const drawn = series.map((s) => {
      const line = chart.addSeries(s.kind === "bars" ? LW.HistogramSeries : LW.LineSeries, {
        color: theme[s.colour],
        title: s.title || "",
        priceFormat: s.money ? { type: "price", precision: 2, minMove: 0.01 } : { type: "volume" },
        lineWidth: 2,
      });
      line.setData(points(s.data));
      return [line, s];
    });
    chart.timeScale().fitContent();
    chartTheme.onChange((next) => {
      theme = next;
      chart.applyOptions(chartTheme.chartOptions(theme));
      drawn.forEach(([line, s]) => line.applyOptions({ color: theme[s.colour] }));
    });
    element.dataset.ready = "true";
  }

  function start() {
    const dataNode = document.getElementById("staff-chart-data");
    const LW = window.LightweightCharts;
    const chartTheme = window.flaxuChartTheme; // chart_theme.js: the site theme's colours
    if (!dataNode || !LW || !chartTheme) return;
    const data = JSON.parse(dataNode.textContent);
    drawChart(LW, chartTheme, "chart-signups", [{ kind: "bars", colour: "price", data: data.signups }]);
    drawChart(LW, chartTheme, "chart-full", [{ kind: "line", colour: "up", data: data.full_users }]);
    drawChart(LW, chartTheme, "chart-trades", [
      { kind: "line", colour: "event", title: "paper", data: data.trades.paper },
      { kind: "line", colour: "warn", title: "live", data: data.trades.live },
    ]);
    drawChart(LW, chartTheme, "chart-pnl", [
      { kind: "line", colour: "event", title: "paper", money: true, data: data.pnl.paper },
      { kind: "line", colour: "warn", title: "live", money: true, data: data.pnl.live },
    ]);
  }

  start();
})();
