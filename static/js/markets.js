// The Markets page, kept live: prices and the chart follow the "market.tickers" pushes, closed candles
// arrive on "market.candles.<symbol>.<tf>". The widgets are not drawn here: each section refreshes itself
// with htmx from its server-rendered fragment on its push's DOM event ("flaxu:<type>", from live.js) or on
// "flaxu:poll", which this file dispatches about once a minute while the websocket is down (every 10 s it
// polls the tickers API then). Only the heatmap's canvas is drawn here, after each swap.
// Also: the price-alert form (fields that fit the chosen condition) and fired-alert messages.
(function () {
  "use strict";

  const MINUS = "\u2212";
  const live = window.flaxuLive || null;

  // --- formatting (same rules as market/templatetags/market_format.py) -----------------------------

  function num(value) {
    if (value === null || value === undefined || value === "") return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }

  function priceDecimals(n) {
    const m = Math.abs(n);
    if (m >= 1000) return 2;
    if (m >= 1) return 4;
    if (m === 0) return 2;
    return Math.min(10, Math.max(4, 5 - Math.floor(Math.log10(m))));
  }

  function fmtFixed(n, decimals) {
    return Math.abs(n).toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  function fmtPrice(value) {
    const n = num(value);
    if (n === null) return "–";
    const text = fmtFixed(n, priceDecimals(n));
    return n < 0 ? MINUS + text : text;
  }

  function fmtPct(value, decimals) {
    const n = num(value);
    const d = decimals === undefined ? 2 : decimals;
    if (n === null) return "–";
    const text = fmtFixed(n, d) + " %";
    const rounded = Number(n.toFixed(d));
    if (rounded > 0) return "▲ +" + text;
    if (rounded < 0) return "▼ " + MINUS + text;
    return text;
  }

  function direction(value) {
    const n = num(value);
    if (n === null || n === 0) return "flat";
    return n > 0 ? "up" : "down";
  }

  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(11, 19);
  }

  function announce(text) {
    const status = document.getElementById("live-status");
    if (status) status.textContent = text;
  }

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(url + " answered " + response.status);
    return response.json();
  }

  // --- price alerts (both pages) ---------------------------------------------------------------------

  function setupAlertForm(form) {
    const condition = form.querySelector("[name=condition]");
    if (!condition) return;
    const byName = (name) => {
      const input = form.querySelector("[name=" + name + "]");
      return input ? input.closest(".field") : null;
    };
    const levelFields = [byName("price")];
    const moveFields = [byName("percent"), byName("window_minutes")];
    function sync() {
      const isLevel = condition.value === "above" || condition.value === "below";
      levelFields.forEach((f) => f && (f.hidden = !isLevel));
      moveFields.forEach((f) => f && (f.hidden = isLevel));
    }
    condition.addEventListener("change", sync);
    sync();
    // The chosen perpetual's last price, as a reference for the level.
    const symbol = form.querySelector("[name=symbol]");
    const hint = document.getElementById("alert-price-hint");
    const pricesNode = document.getElementById("alert-prices");
    if (symbol && hint && pricesNode) {
      const prices = JSON.parse(pricesNode.textContent);
      const showPrice = () => {
        const last = prices[symbol.value];
        hint.textContent = last ? symbol.value.split("/")[0] + " last price: " + last + " USDT" : "";
      };
      symbol.addEventListener("change", showPrice);
      showPrice();
    }
  }

  const alertForm = document.getElementById("alert-form");
  if (alertForm) setupAlertForm(alertForm);

  if (live) {
    live.on("price_alert", (data) => {
      announce("Price alert fired: " + data.title);
      const row = document.getElementById("alert-" + data.id);
      if (row && row.cells[2]) {
        const fired = document.createElement("strong");
        fired.textContent = "Fired";
        row.cells[2].replaceChildren(fired, " " + fmtTime(data.fired_at) + " UTC at " + fmtPrice(data.price));
      }
    });
  }

  // --- the Markets page ------------------------------------------------------------------------------

  const configNode = document.getElementById("markets-config");
  if (!configNode) return;
  const config = JSON.parse(configNode.textContent);
  const state = {
    symbol: config.symbol,
    timeframe: config.timeframe,
    tickers: null, // the latest {exchange: {symbol: row}}
    sourceTime: null,
    polling: null,
    slowPolls: 0,
    wasOffline: false,
  };

  function slug(symbol) {
    return config.slugs[symbol] || symbol.toLowerCase().replace(/[^a-z0-9._-]+/g, "-");
  }

  function candlesGroup(symbol, timeframe) {
    return "market.candles." + slug(symbol) + "." + timeframe;
  }

  function heatmapGroup(symbol) {
    return "market.liquidations." + slug(symbol);
  }

  // Live prices: top-500 rows, the chart header and the forming candle -----------------------------

  function flash(node, up) {
    node.classList.remove("flash-up", "flash-down");
    void node.offsetWidth; // restart the animation
    node.classList.add(up ? "flash-up" : "flash-down");
  }

  function setPrice(node, value) {
    const n = num(value);
    if (n === null) return;
    const before = num(node.dataset.price);
    node.dataset.price = String(n);
    node.textContent = fmtPrice(n);
    if (before !== null && before !== n) flash(node.closest("td") || node, n > before);
  }

  function setChange(node, value) {
    node.textContent = fmtPct(value);
    node.classList.remove("up", "down", "flat");
    node.classList.add(direction(value));
  }

  function applyTickers(byExchange, sourceTime) {
    state.tickers = byExchange;
    if (sourceTime) state.sourceTime = sourceTime;
    // Coin → its price on the first exchange that lists it (as the server does).
    const coins = {};
    for (const rows of Object.values(byExchange)) {
      for (const [symbol, row] of Object.entries(rows)) {
        const mapped = config.coinMap[symbol];
        if (!mapped || coins[mapped[0]] || num(row.last) === null) continue;
        coins[mapped[0]] = { price: num(row.last) / mapped[1], change: row.change_percent };
      }
    }
    document.querySelectorAll("#top-rows tr[data-coin]").forEach((tr) => {
      const quote = coins[tr.dataset.coin];
      if (!quote || !tr.querySelector(".tag.live")) return;
      const priceNode = tr.querySelector("[data-price]");
      const changeNode = tr.querySelector("[data-change]");
      if (priceNode) setPrice(priceNode, quote.price);
      if (changeNode && quote.change !== null && quote.change !== undefined) setChange(changeNode, quote.change);
    });
    const own = (byExchange[config.chartExchange] || {})[state.symbol];
    if (own) {
      showHeader(own);
      updateFormingCandle(num(own.last), own.time || state.sourceTime);
    }
  }

  // The chart header: last price and 24 h change of the chosen symbol on the chart exchange.
  let headerToken = 0;

  function showHeader(row) {
    const last = document.getElementById("chart-last");
    const change = document.getElementById("chart-change");
    if (last) setPrice(last, row.last);
    if (change) setChange(change, row.change_percent);
  }

  function clearHeader() {
    const last = document.getElementById("chart-last");
    const change = document.getElementById("chart-change");
    if (last) {
      delete last.dataset.price;
      last.textContent = "–";
    }
    if (change) setChange(change, null);
  }

  // On a symbol switch: never leave the previous symbol's price up. Cleared at once, then filled from the
  // tickers already known, and from the API for this one symbol (an answer for an older choice is dropped).
  async function reloadHeader() {
    const token = ++headerToken;
    const symbol = state.symbol;
    clearHeader();
    const known = ((state.tickers || {})[config.chartExchange] || {})[symbol];
    if (known) showHeader(known);
    const url =
      config.urls.tickers + "?exchange=" + encodeURIComponent(config.chartExchange) + "&symbol=" + encodeURIComponent(symbol);
    try {
      const [byExchange] = tickersFromApi(await getJSON(url));
      const row = (byExchange[config.chartExchange] || {})[symbol];
      if (token === headerToken && symbol === state.symbol && row) showHeader(row);
    } catch (error) {
      /* the next push or poll fills it */
    }
  }

  function tickersFromApi(data) {
    const byExchange = {};
    let time = null;
    for (const table of data.exchanges || []) {
      const rows = {};
      for (const t of table.tickers || []) {
        rows[t.symbol] = t;
        time = time || t.time;
      }
      byExchange[table.exchange] = rows;
    }
    return [byExchange, time];
  }

  // The chart ------------------------------------------------------------------------------------------

  const chartNode = document.getElementById("chart");
  const chartStatus = document.getElementById("chart-status");
  let chart = null;
  let candleSeries = null;
  let volumeSeries = null;
  let lastBar = null;
  let loadToken = 0;

  // Colours: chart_theme.js (the site theme's custom properties), for the candles, volume and heatmap.
  const chartTheme = window.flaxuChartTheme;
  const withAlpha = chartTheme.withAlpha;
  let theme = chartTheme.colours();

  function makeChart() {
    const LC = window.LightweightCharts;
    if (!LC || !chartNode) return false;
    chart = LC.createChart(chartNode, { autoSize: true, ...chartTheme.chartOptions(theme) });
    candleSeries = chart.addSeries(LC.CandlestickSeries, chartTheme.candleOptions(theme));
    candleSeries.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.25 } });
    volumeSeries = chart.addSeries(LC.HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "" });
    volumeSeries.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    return true;
  }

  function toBar(c) {
    return {
      time: Math.floor(Date.parse(c.time) / 1000),
      open: Number(c.open),
      high: Number(c.high),
      low: Number(c.low),
      close: Number(c.close),
      volume: Number(c.volume),
    };
  }

  function volumeBar(bar) {
    const up = bar.close >= bar.open;
    return { time: bar.time, value: bar.volume, color: withAlpha(up ? theme.up : theme.down, 0.45) };
  }

  function putBar(bar) {
    if (!candleSeries) return;
    if (lastBar && bar.time < lastBar.time) {
      try {
        candleSeries.update(bar, true);
        volumeSeries.update(volumeBar(bar), true);
      } catch (error) {
        /* older than the chart's history: nothing to correct */
      }
      return;
    }
    candleSeries.update(bar);
    volumeSeries.update(volumeBar(bar));
    lastBar = bar;
  }

  async function loadCandles() {
    if (!candleSeries) return;
    const token = ++loadToken;
    const url =
      config.urls.candles +
      "?symbol=" + encodeURIComponent(state.symbol) +
      "&timeframe=" + encodeURIComponent(state.timeframe) +
      "&limit=300";
    try {
      const data = await getJSON(url);
      if (token !== loadToken) return; // a newer symbol/timeframe was chosen meanwhile
      const bars = (data.candles || []).map(toBar);
      const precision = bars.length ? priceDecimals(bars[bars.length - 1].close) : 2;
      candleSeries.applyOptions({ priceFormat: { type: "price", precision, minMove: Math.pow(10, -precision) } });
      candleSeries.setData(bars);
      volumeSeries.setData(bars.map(volumeBar));
      lastBar = bars.length ? bars[bars.length - 1] : null;
      const last = document.getElementById("chart-last");
      if (last && lastBar && !last.dataset.price) setPrice(last, lastBar.close); // no ticker for it yet
      if (chartStatus) {
        const stale = data.stale_since ? " · stale since " + fmtTime(data.stale_since) + " UTC" : "";
        chartStatus.textContent =
          bars.length + " candles of " + state.timeframe + " (" + data.stored + " stored) · " + data.source + stale;
      }
    } catch (error) {
      if (chartStatus) chartStatus.textContent = "Could not load candles; retrying with the next update.";
    }
  }

  function updateFormingCandle(price, time) {
    if (!candleSeries || !lastBar || price === null) return;
    const step = config.timeframeSeconds[state.timeframe];
    const now = time ? Math.floor(Date.parse(time) / 1000) : Math.floor(Date.now() / 1000);
    if (!Number.isFinite(now)) return;
    const start = Math.floor(now / step) * step;
    if (start < lastBar.time) return;
    let bar;
    if (start === lastBar.time) {
      bar = { ...lastBar, high: Math.max(lastBar.high, price), low: Math.min(lastBar.low, price), close: price };
    } else {
      bar = { time: start, open: lastBar.close, high: Math.max(lastBar.close, price), low: Math.min(lastBar.close, price), close: price, volume: 0 };
    }
    putBar(bar);
  }

  function onCandles(data) {
    if (data.symbol !== state.symbol || data.timeframe !== state.timeframe) return;
    if (data.exchange && data.exchange !== config.chartExchange) return;
    (data.candles || []).map(toBar).forEach(putBar);
  }

  // Symbol and timeframe pickers ------------------------------------------------------------------------

  function subscribeChart(previous) {
    if (!live) return;
    if (previous) live.unsubscribe([candlesGroup(previous.symbol, previous.timeframe), heatmapGroup(previous.symbol)]);
    live.subscribe([candlesGroup(state.symbol, state.timeframe), heatmapGroup(state.symbol)]);
  }

  function rememberInUrl() {
    const url = new URL(window.location.href);
    url.searchParams.set("symbol", state.symbol);
    url.searchParams.set("timeframe", state.timeframe);
    window.history.replaceState(null, "", url);
  }

  function choose(symbol, timeframe) {
    const previous = { symbol: state.symbol, timeframe: state.timeframe };
    if (symbol === previous.symbol && timeframe === previous.timeframe) return;
    state.symbol = symbol;
    state.timeframe = timeframe;
    const base = symbol.split("/")[0];
    const title = document.getElementById("chart-title");
    if (title) title.textContent = base + " perpetual";
    const link = document.getElementById("chart-alert-link");
    if (link) {
      link.href = config.urls.alerts + "?symbol=" + encodeURIComponent(symbol);
      link.textContent = "Set a price alert on " + base;
    }
    document.querySelectorAll("#chart-form button[name=timeframe]").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.value === timeframe));
    });
    if (chartNode) chartNode.setAttribute("aria-label", "Candlestick chart of " + symbol + " with volume.");
    rememberInUrl();
    subscribeChart(previous);
    loadCandles();
    if (symbol !== previous.symbol) reloadHeader(); // the heatmap section follows the select itself (hx-trigger)
  }

  const chartForm = document.getElementById("chart-form");
  if (chartForm) {
    const select = chartForm.querySelector("#chart-symbol");
    chartForm.addEventListener("click", (event) => {
      const button = event.target.closest("button[name=timeframe]");
      if (!button) return;
      event.preventDefault();
      choose(state.symbol, button.value);
    });
    chartForm.addEventListener("submit", (event) => event.preventDefault());
    if (select) select.addEventListener("change", () => choose(select.value, state.timeframe));
  }

  // Liquidation heatmap (canvas) -----------------------------------------------------------------------

  function drawHeatmap() {
    const canvas = document.getElementById("heatmap-canvas");
    const source = document.getElementById("heatmap-data");
    if (!canvas || !source) return;
    const data = JSON.parse(source.textContent);
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height || !data.bin_width) return;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const columns = data.columns.length ? data.columns : [[null, data.bins]];
    const all = columns.flatMap((c) => c[1]).concat(data.bins);
    if (!all.length) return;
    const low = Math.min(...all.map((b) => b[0]), data.price || Infinity);
    const high = Math.max(...all.map((b) => b[0] + data.bin_width), data.price || -Infinity);
    const axis = 84; // price labels on the right
    const profile = Math.max(60, Math.round(width * 0.16));
    const mapWidth = width - axis - profile - 8;
    const y = (p) => height - ((p - low) / (high - low || 1)) * height;
    const rowHeight = Math.max(1, (data.bin_width / (high - low || 1)) * height);
    const peak = Math.max(1, ...all.map((b) => Math.max(b[1], b[2])));
    const colWidth = mapWidth / columns.length;
    const price = data.price;

    columns.forEach(([, bins], i) => {
      for (const [p, longs, shorts] of bins) {
        const value = longs + shorts;
        if (value <= 0) continue;
        const alpha = Math.min(1, 0.08 + Math.sqrt(value / peak));
        ctx.fillStyle = withAlpha(longs >= shorts ? theme.up : theme.down, alpha);
        ctx.fillRect(i * colWidth, y(p + data.bin_width), Math.ceil(colWidth), Math.ceil(rowHeight));
      }
    });
    // The current profile: bars grow left to right from the map's edge.
    const x0 = mapWidth + 8;
    for (const [p, longs, shorts] of data.bins) {
      const top = y(p + data.bin_width);
      if (longs > 0) {
        ctx.fillStyle = withAlpha(theme.up, 0.85);
        ctx.fillRect(x0, top, (longs / peak) * profile, Math.max(1, rowHeight - 1));
      }
      if (shorts > 0) {
        ctx.fillStyle = withAlpha(theme.down, 0.85);
        ctx.fillRect(x0, top, (shorts / peak) * profile, Math.max(1, rowHeight - 1));
      }
    }
    const eventPeak = Math.max(1, ...data.events.map((e) => e[1] + e[2]));
    ctx.fillStyle = theme.event;
    for (const [p, longs, shorts] of data.events) {
      const r = 2 + 4 * Math.sqrt((longs + shorts) / eventPeak);
      ctx.beginPath();
      ctx.arc(x0 + profile - 6, y(p + data.bin_width / 2), r, 0, 2 * Math.PI);
      ctx.fill();
    }
    if (price) {
      ctx.strokeStyle = theme.price;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([5, 4]);
      ctx.beginPath();
      ctx.moveTo(0, y(price));
      ctx.lineTo(width - axis, y(price));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.fillStyle = theme.text;
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "left";
    for (let i = 0; i <= 5; i++) {
      const p = low + ((high - low) * i) / 5;
      ctx.fillText(fmtPrice(p), width - axis + 4, Math.min(height - 3, Math.max(10, y(p) + 4)));
    }
    if (price) {
      ctx.fillStyle = theme.price;
      ctx.fillText(fmtPrice(price), width - axis + 4, Math.max(10, y(price) - 4));
    }
    if (columns[0][0]) {
      ctx.fillStyle = theme.text;
      ctx.fillText(fmtTime(columns[0][0]).slice(0, 5), 2, height - 4);
      ctx.textAlign = "right";
      ctx.fillText(fmtTime(columns[columns.length - 1][0]).slice(0, 5) + " UTC", mapWidth, height - 4);
    }
  }

  // htmx morphs the section in place (the canvas is reset with it): draw the new data.
  document.addEventListener("htmx:after:swap", (event) => {
    const target = event.detail && event.detail.ctx && event.detail.ctx.target;
    if (target && target.id === "w-heatmap") drawHeatmap();
  });

  // The theme toggle (flaxu.js) flips dark/light: repaint in the new colours.
  chartTheme.onChange((colours) => {
    theme = colours;
    if (chart) {
      chart.applyOptions(chartTheme.chartOptions(theme));
      candleSeries.applyOptions(chartTheme.candleOptions(theme));
      loadCandles(); // the volume bars take their colour when set
    }
    drawHeatmap();
  });

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(drawHeatmap, 150);
  });

  // Live pushes and the polling fallback ------------------------------------------------------------------

  async function pollOnce() {
    try {
      const [byExchange, time] = tickersFromApi(await getJSON(config.urls.tickers));
      applyTickers(byExchange, time);
    } catch (error) {
      /* try again at the next tick */
    }
    state.slowPolls += 1;
    if (state.slowPolls % 6 === 0) {
      // About once a minute: candles and every widget.
      loadCandles();
      refreshWidgets();
    }
  }

  // Every widget section listens for this (hx-trigger) and fetches its fragment once.
  function refreshWidgets() {
    document.dispatchEvent(new CustomEvent("flaxu:poll"));
  }

  function startPolling() {
    if (state.polling) return;
    state.wasOffline = true;
    // Anonymous visitors have no websocket: polling is how their page works, not an outage to report.
    if (config.live !== false) announce("Live updates are offline; refreshing every " + config.pollSeconds + " s.");
    pollOnce();
    state.polling = window.setInterval(pollOnce, config.pollSeconds * 1000);
  }

  function stopPolling() {
    if (!state.polling) return;
    window.clearInterval(state.polling);
    state.polling = null;
    announce("");
  }

  function start() {
    if (makeChart()) loadCandles();
    drawHeatmap();
    if (!live) {
      startPolling();
      return;
    }
    // The widgets' pushes need no handler here: live.js dispatches "flaxu:<type>" and the section swaps itself.
    live.subscribe([config.tickersGroup, ...config.widgetGroups]);
    subscribeChart(null);
    live.on("tickers", (data) => applyTickers(data.exchanges || {}, data.source_time));
    live.on("candles", onCandles);
    live.on("hello", () => {
      stopPolling();
      if (state.wasOffline) {
        // Back online: catch up on what the socket missed.
        state.wasOffline = false;
        loadCandles();
        refreshWidgets();
      }
    });
    live.on("offline", startPolling);
    window.setTimeout(() => {
      if (!live.live) startPolling();
    }, 5000);
  }

  // lightweight-charts and this file are both deferred, in order: the library is there by now.
  start();
})();
