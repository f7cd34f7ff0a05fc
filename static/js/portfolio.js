// The Performance page: the realised equity curve (one point per closed trade) from the page's
// #performance-equity-data ([[epoch seconds, equity], ...]), coloured above/below the starting equity.
(function () {
  "use strict";

  function startEquityChart() {
    const element = document.getElementById("performance-equity-chart");
    const dataNode = document.getElementById("performance-equity-data");
    const LW = window.LightweightCharts;
    if (!element || !dataNode || !LW || !window.flaxuChartTheme) return;
    const points = JSON.parse(dataNode.textContent);
    if (!points.length) return;
    const chartTheme = window.flaxuChartTheme; // chart_theme.js: the site theme's colours
    const alpha = chartTheme.withAlpha;
    let theme = chartTheme.colours();
    const chart = LW.createChart(element, { autoSize: true, ...chartTheme.chartOptions(theme) });
    function seriesOptions(t) {
      return {
        topLineColor: t.up,
        topFillColor1: alpha(t.up, 0.28),
        topFillColor2: alpha(t.up, 0.05),
        bottomLineColor: t.down,
        bottomFillColor1: alpha(t.down, 0.05),
        bottomFillColor2: alpha(t.down, 0.28),
      };
    }
    const series = chart.addSeries(LW.BaselineSeries, {
      baseValue: { type: "price", price: points[0][1] },
      lineWidth: 2,
      priceFormat: { type: "price", precision: 2, minMove: 0.01 },
      ...seriesOptions(theme),
    });
    series.setData(points.map(([time, value]) => ({ time, value })));
    chart.timeScale().fitContent();
    chartTheme.onChange((next) => {
      theme = next;
      chart.applyOptions(chartTheme.chartOptions(theme));
      series.applyOptions(seriesOptions(theme));
    });
    element.dataset.ready = "true";
  }

  startEquityChart();
})();
