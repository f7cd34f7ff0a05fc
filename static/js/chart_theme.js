// The charts' theme, in one place: the site theme's CSS custom properties (static/css/flaxu.css, dark and
// light), read when a chart or canvas is drawn, and the options every lightweight-charts chart shares.
// No chart colour is written in any other JavaScript file.
//   const theme = flaxuChartTheme.colours();         // {text, grid, up, down, price, event, warn, pool}
//   LightweightCharts.createChart(node, {autoSize: true, ...flaxuChartTheme.chartOptions(theme)});
//   flaxuChartTheme.withAlpha(theme.up, 0.45);         // "#rrggbb" → "rgba(r,g,b,0.45)"
//   flaxuChartTheme.onChange(() => ...);               // the theme toggle flipped dark/light
(function () {
  "use strict";

  function colours() {
    const style = getComputedStyle(document.documentElement);
    const read = (name) => style.getPropertyValue(name).trim();
    return {
      text: read("--muted"),
      grid: read("--border"),
      up: read("--good"),
      down: read("--bad"),
      price: read("--accent"),
      event: read("--link"),
      warn: read("--warn"),
      pool: read("--violet"),
    };
  }

  function withAlpha(color, alpha) {
    const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
    if (!hex) return color;
    return "rgba(" + hex.slice(1).map((h) => parseInt(h, 16)).join(",") + "," + alpha + ")";
  }

  function chartOptions(theme) {
    return {
      // attributionLogo: its <style> element breaks the CSP; each chart links TradingView instead.
      layout: { background: { type: "solid", color: "transparent" }, textColor: theme.text, attributionLogo: false },
      grid: { vertLines: { color: theme.grid }, horzLines: { color: theme.grid } },
      rightPriceScale: { borderColor: theme.grid },
      timeScale: { borderColor: theme.grid, timeVisible: true, secondsVisible: false },
    };
  }

  function candleOptions(theme) {
    return { upColor: theme.up, downColor: theme.down, wickUpColor: theme.up, wickDownColor: theme.down, borderVisible: false };
  }

  function onChange(callback) {
    new MutationObserver(() => callback(colours())).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-theme"],
    });
  }

  window.flaxuChartTheme = { colours, withAlpha, chartOptions, candleOptions, onChange };
})();
