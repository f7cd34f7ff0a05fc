// A backtest's page: the progress bar while it runs (pushes on the user's socket, and polling the API
// every second in case a push is missed), then the equity curve once it is done.
(function () {
  "use strict";

  const POLL_MS = 1000;
  const SLOW_POLL_MS = 5000; // after a 429
  const FINISHED = new Set(["done", "failed"]);

  // 1 -> "1st", 2 -> "2nd", 11 -> "11th" (like the template filter trading.ordinal).
  function ordinal(n) {
    const tens = n % 100;
    const suffix = tens >= 10 && tens <= 20 ? "th" : { 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th";
    return n + suffix;
  }

  function startProgress() {
    const box = document.getElementById("backtest-progress");
    if (!box || FINISHED.has(box.dataset.status)) return;
    const id = Number(box.dataset.backtestId);
    const bar = box.querySelector(".progress");
    const fill = box.querySelector(".progress .bar");
    const value = document.getElementById("progress-value");
    const badge = box.querySelector(".status");
    const place = document.getElementById("queue-position");
    let timer = null;
    let finished = false;

    function show(state) {
      if (finished) return;
      const progress = Math.max(0, Math.min(100, Number(state.progress) || 0));
      const current = Number(bar.getAttribute("aria-valuenow")) || 0;
      const shown = Math.max(progress, state.status === "done" ? 100 : current);
      fill.style.width = shown + "%";
      bar.setAttribute("aria-valuenow", String(shown));
      value.textContent = shown + " %";
      // While it waits, its place in the queue says more than "0 %".
      const waiting = state.status === "queued" && Number(state.queue_position) > 0;
      if (place) {
        place.hidden = !waiting;
        if (waiting) place.textContent = "· " + ordinal(Number(state.queue_position)) + " in line";
      }
      value.hidden = waiting;
      if (state.status && badge) {
        badge.className = "status " + state.status;
        badge.textContent = state.status.charAt(0).toUpperCase() + state.status.slice(1);
      }
      box.dataset.status = state.status || box.dataset.status;
      if (FINISHED.has(state.status)) {
        finished = true;
        window.clearTimeout(timer);
        // The results (statistics, trades, equity) are rendered by the server.
        window.setTimeout(() => window.location.reload(), 700);
      }
    }

    async function poll() {
      let delay = POLL_MS;
      try {
        const response = await fetch(box.dataset.statusUrl, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (response.ok) show(await response.json());
        else if (response.status === 429) delay = SLOW_POLL_MS;
      } catch (error) {
        delay = SLOW_POLL_MS;
      }
      if (!finished) timer = window.setTimeout(poll, delay);
    }

    if (window.flaxuLive) {
      window.flaxuLive.on("backtest", (state) => {
        if (state && Number(state.id) === id) show(state);
      });
    }
    poll();
  }

  function startEquityChart() {
    const element = document.getElementById("equity-chart");
    const dataNode = document.getElementById("equity-data");
    const LW = window.LightweightCharts;
    if (!element || !dataNode || !LW) return;
    const points = JSON.parse(dataNode.textContent);
    if (!points.length) return;
    const chartTheme = window.flaxuChartTheme; // chart_theme.js: the site theme's colours
    const theme = chartTheme.colours();
    const alpha = chartTheme.withAlpha;
    const chart = LW.createChart(element, { autoSize: true, ...chartTheme.chartOptions(theme) });
    const series = chart.addSeries(LW.BaselineSeries, {
      baseValue: { type: "price", price: points[0][1] },
      topLineColor: theme.up,
      topFillColor1: alpha(theme.up, 0.28),
      topFillColor2: alpha(theme.up, 0.05),
      bottomLineColor: theme.down,
      bottomFillColor1: alpha(theme.down, 0.05),
      bottomFillColor2: alpha(theme.down, 0.28),
      lineWidth: 2,
      priceFormat: { type: "price", precision: 2, minMove: 0.01 },
    });
    series.setData(points.map(([time, value]) => ({ time, value })));
    chart.timeScale().fitContent();
    element.dataset.ready = "true";
  }

  startProgress();
  startEquityChart();
})();
