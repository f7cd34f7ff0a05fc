// Signals pages: the live list (/signals/), the sniper panel (/signals/sniper/) and a signal's chart
// (/signals/<id>/). Each part starts only if its elements are on the page.
(function () {
  "use strict";

  const MAX_ROWS = 100;

  // A price as the server writes it (market/formatting.py format_price): 2 decimals from 1,000, 4 from 1,
  // then 6 significant digits; a minus sign, not a hyphen; an en dash when missing.
  function price(value) {
    const x = value === null || value === undefined || value === "" ? NaN : Number(value);
    if (!isFinite(x)) return "\u2013";
    const m = Math.abs(x);
    const decimals = m >= 1000 ? 2 : m >= 1 ? 4 : m === 0 ? 2 : Math.min(10, Math.max(4, 5 - Math.floor(Math.log10(m))));
    const text = m.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    return x < 0 ? "\u2212" + text : text;
  }

  // BTC/USDT:USDT -> "BTC/USDT perp" (market/formatting.py symbol_label), for events without the label.
  function symbolLabel(item) {
    if (item.symbol_label) return item.symbol_label;
    const [pair, settle] = String(item.symbol).split(":");
    return settle ? pair + " perp" : pair;
  }

  function shortTime(iso) {
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  function cell(text, className, label) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (label) td.dataset.label = label; // the stacked phone layout shows it (trading.css)
    if (text instanceof Node) td.appendChild(text);
    else td.textContent = text;
    return td;
  }

  function span(text, className, title) {
    const s = document.createElement("span");
    s.className = className;
    s.textContent = text;
    if (title) s.title = title;
    return s;
  }

  function timeElement(iso) {
    const t = document.createElement("time");
    t.dateTime = iso;
    t.textContent = shortTime(iso);
    return t;
  }

  function prepend(tbody, row, emptyNote, maxRows) {
    row.classList.add("fresh");
    tbody.insertBefore(row, tbody.firstChild);
    while (tbody.rows.length > (maxRows || MAX_ROWS)) tbody.deleteRow(tbody.rows.length - 1);
    if (emptyNote) emptyNote.hidden = true;
  }

  // --- live signal list ---------------------------------------------------------------------------
  // The rows are the server's: #signal-results refreshes itself through htmx on the "signal" push
  // (templates/includes/live_fragment.html). Here: the page's group, the "n new" count, and a toast in the
  // polite live region #live-toast when a new auto-executable signal arrives (textContent: data, not HTML).
  const TOAST_MS = 8000;
  let toastTimer = null;

  function toastSignal(s) {
    const toast = document.getElementById("live-toast");
    if (!toast) return;
    toast.textContent = "New auto-executable signal: " + s.direction + " " + symbolLabel(s) + " " + s.timeframe +
      " at " + price(s.entry) + " (confidence " + s.confidence + ")";
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => {
      toast.textContent = "";
    }, TOAST_MS);
  }

  function startSignalList() {
    const table = document.getElementById("signal-table");
    const filtersNode = document.getElementById("signal-filters-data");
    if (!table || !filtersNode || !window.flaxuLive) return;
    const filters = JSON.parse(filtersNode.textContent) || {};
    const counter = document.getElementById("new-count");
    const firstPage = (table.dataset.page || "1") === "1";
    const seen = new Set();
    let fresh = 0;

    function matches(s) {
      if (filters.executable && !s.auto_executable) return false;
      if (filters.symbol && s.symbol !== filters.symbol) return false;
      if (filters.timeframe && s.timeframe !== filters.timeframe) return false;
      if (filters.direction && s.direction !== filters.direction) return false;
      if (filters.setup && s.setup !== filters.setup) return false;
      if (filters.min_confidence != null && s.confidence < filters.min_confidence) return false;
      return true;
    }

    window.flaxuLive.on("signal", (s) => {
      if (!s || s.historical || seen.has(s.id)) return;
      seen.add(s.id);
      if (s.auto_executable) toastSignal(s);
      if (!matches(s)) return;
      fresh += 1;
      if (counter) {
        counter.hidden = false;
        counter.textContent = "\u00b7 " + fresh + " new since you opened the page" + (firstPage ? "" : " (on the first page)");
      }
    });
    // The results are morphed by htmx (their attributes too): mark the section around them as live.
    const section = document.getElementById("signal-list") || table;
    window.flaxuLive.on("subscribed", (data) => {
      if (data && (data.groups || []).includes("signals.all")) section.dataset.live = "true";
    });
    window.flaxuLive.on("offline", () => delete section.dataset.live);
    window.flaxuLive.subscribe(["signals.all"]);
  }

  // --- sniper panel -------------------------------------------------------------------------------
  // "Trade this" on a live alert: the page's form template (with its CSRF token), pointed at the alert.
  function oneClickCell(alertId) {
    const td = document.createElement("td");
    td.className = "c-action";
    const template = document.getElementById("one-click-template");
    if (!template) return td;
    const form = template.content.firstElementChild.cloneNode(true);
    form.action = form.getAttribute("action").replace(/\/0\/trade\/$/, "/" + Number(alertId) + "/trade/");
    td.append(form);
    return td;
  }

  function startSniperPanel() {
    const table = document.getElementById("sniper-table");
    if (!table || !window.flaxuLive) return;
    const tbody = table.tBodies[0];
    window.flaxuLive.on("sniper_alert", (a) => {
      if (!a || tbody.querySelector('tr[data-alert-id="' + a.id + '"]')) return;
      const tr = document.createElement("tr");
      tr.dataset.alertId = a.id;
      const change = Number(a.change_pct);
      tr.append(
        cell(timeElement(a.time), "c-known"),
        cell(symbolLabel(a), "c-symbol"),
        cell(span(a.move, "move " + a.move.toLowerCase()), "c-move"),
        cell((change > 0 ? "+" : "") + change.toFixed(2) + " %", "num c-change", "Change"),
        cell(Math.round(Number(a.cleared_pct)) + " %", "num c-cleared", "Liq. cleared"),
        cell(span(a.direction, "dir " + a.direction.toLowerCase()), "c-side"),
        cell(price(a.entry), "num c-entry", "Entry"),
        cell(price(a.stop_loss), "num c-stop", "Stop"),
        cell(price(a.take_profit), "num c-target", "Target"),
        oneClickCell(a.id),
      );
      prepend(tbody, tr, document.getElementById("no-alerts"));
    });
    window.flaxuLive.on("subscribed", (data) => {
      if (data && (data.groups || []).includes("sniper.alerts")) table.dataset.live = "true";
    });
    window.flaxuLive.on("offline", () => delete table.dataset.live);
    window.flaxuLive.subscribe(["sniper.alerts"]);
  }

  // --- a signal's chart ---------------------------------------------------------------------------
  // Zones, breaks and pools are drawn by a small series primitive (boxes and segments between two
  // times); entry, stop and targets are price lines; the signal and sweeps are markers.
  // Colours: chart_theme.js (the site theme's custom properties), read when the chart starts.
  const chartTheme = window.flaxuChartTheme;
  const withAlpha = (colour, alpha) => chartTheme.withAlpha(colour, alpha);
  let COLORS = null;

  function themeColours(theme) {
    return { bull: theme.up, bear: theme.down, break: theme.warn, pool: theme.pool, entry: theme.event, stop: theme.down, target: theme.up, text: theme.text };
  }
  const ZONES = { ob: "OB", mb: "MB", breaker: "Breaker", fvg: "FVG" };
  const LEVEL_MARGIN = 0.25; // of the setup's height, above and below its levels
  const LABEL_GAP = 18; // px: closer level labels are merged
  const BARS_BEFORE = 60; // candles of context shown before the signal
  const BARS_AFTER_MIN = 20; // candles shown after it at least (more up to its outcome)
  const BARS_PAD = 5;
  const POOLS = { equal_highs: "EQH", equal_lows: "EQL" };

  function seconds(iso) {
    return Math.floor(Date.parse(iso) / 1000);
  }

  class OverlayView {
    constructor(source) {
      this.source = source;
      this.items = [];
    }
    zOrder() {
      return "bottom";
    }
    update() {
      const { chart, series, shapes, snap } = this.source;
      if (!chart) return;
      const ts = chart.timeScale();
      this.items = shapes.map((s) => ({
        shape: s,
        x1: ts.timeToCoordinate(snap(s.from)),
        x2: ts.timeToCoordinate(snap(s.to)),
        y1: series.priceToCoordinate(s.top),
        y2: series.priceToCoordinate(s.bottom),
      })).filter((i) => i.x1 !== null && i.x2 !== null && i.y1 !== null && i.y2 !== null);
    }
    renderer() {
      const items = this.items;
      return {
        draw(target) {
          target.useBitmapCoordinateSpace((scope) => {
            const ctx = scope.context;
            const hr = scope.horizontalPixelRatio;
            const vr = scope.verticalPixelRatio;
            ctx.font = Math.round(11 * vr) + "px system-ui, sans-serif";
            for (const { shape, x1, x2, y1, y2 } of items) {
              const left = Math.round(Math.min(x1, x2) * hr);
              const width = Math.max(Math.round(Math.abs(x2 - x1) * hr), Math.round(3 * hr));
              const top = Math.round(Math.min(y1, y2) * vr);
              const height = Math.round(Math.abs(y2 - y1) * vr);
              if (shape.fill) {
                ctx.fillStyle = shape.fill;
                ctx.fillRect(left, top, width, Math.max(height, 1));
              }
              if (shape.stroke) {
                ctx.strokeStyle = shape.stroke;
                ctx.lineWidth = Math.max(1, Math.round((shape.width || 1) * hr));
                ctx.setLineDash(shape.dash ? shape.dash.map((d) => d * hr) : []);
                ctx.beginPath();
                if (height <= 1) {
                  ctx.moveTo(left, top + 0.5);
                  ctx.lineTo(left + width, top + 0.5);
                } else {
                  ctx.rect(left + 0.5, top + 0.5, width - 1, height - 1);
                }
                ctx.stroke();
                ctx.setLineDash([]);
              }
              if (shape.label) {
                ctx.fillStyle = shape.labelColor || shape.stroke || COLORS.text;
                ctx.fillText(shape.label, left + Math.round(3 * hr), top - Math.round(3 * vr) + (height > 14 * vr ? Math.round(14 * vr) : 0));
              }
            }
          });
        },
      };
    }
  }

  class Overlay {
    constructor(shapes, snap) {
      this.shapes = shapes;
      this.snap = snap;
      this.views = [new OverlayView(this)];
    }
    attached({ chart, series, requestUpdate }) {
      this.chart = chart;
      this.series = series;
      this.requestUpdate = requestUpdate;
    }
    detached() {
      this.chart = null;
    }
    updateAllViews() {
      this.views.forEach((v) => v.update());
    }
    paneViews() {
      return this.views;
    }
  }

  function shapesFor(data, last) {
    const shapes = [];
    const signalTime = data.signal_time;
    const after = Math.min(last, signalTime + 12 * data.step);
    for (const e of data.events) {
      const from = seconds(e.time);
      const faint = e.role === "context";
      const scope = e.scope === "internal" ? "int. " : e.scope === "swing" ? "swing " : "";
      if (e.kind in ZONES) {
        const colour = e.direction > 0 ? COLORS.bull : COLORS.bear;
        const to = e.end_time ? seconds(e.end_time) : after;
        shapes.push({
          from, to, top: e.top, bottom: e.bottom,
          fill: withAlpha(colour, faint ? 0.08 : 0.2),
          stroke: faint ? null : withAlpha(colour, 0.8),
          label: faint ? null : scope + ZONES[e.kind],
          labelColor: colour,
        });
      } else if (e.kind === "bos" || e.kind === "choch") {
        shapes.push({
          from, to: seconds(e.confirmed_time), top: e.level, bottom: e.level,
          stroke: COLORS.break, dash: [6, 4], width: faint ? 1 : 2,
          label: faint ? null : (e.kind === "bos" ? "BOS" : "CHoCH") + (e.scope === "internal" ? " (int.)" : ""),
        });
      } else if (e.kind in POOLS) {
        shapes.push({
          from, to: seconds(e.confirmed_time), top: e.level, bottom: e.level,
          stroke: COLORS.pool, dash: [2, 3], width: 1.5, label: POOLS[e.kind],
        });
      }
    }
    // Risk and reward from the signal on: entry to stop in red, entry to the second target in green.
    const reward = data.take_profit_2;
    shapes.push({ from: signalTime, to: after, top: data.entry, bottom: data.stop_loss, fill: withAlpha(COLORS.bear, 0.12) });
    shapes.push({ from: signalTime, to: after, top: reward, bottom: data.entry, fill: withAlpha(COLORS.bull, 0.10) });
    return shapes;
  }

  function markersFor(data, first, last, snap) {
    const markers = [];
    const long = data.direction === "LONG";
    markers.push({
      time: data.signal_time,
      position: long ? "belowBar" : "aboveBar",
      shape: long ? "arrowUp" : "arrowDown",
      color: long ? COLORS.bull : COLORS.bear,
      text: data.direction,
    });
    for (const e of data.events) {
      if (e.kind !== "sweep" && e.kind !== "run") continue;
      const t = seconds(e.confirmed_time);
      if (t < first || t > last) continue;
      markers.push({
        time: snap(t),
        position: e.direction > 0 ? "belowBar" : "aboveBar",
        shape: "circle",
        color: COLORS.pool,
        text: e.kind === "sweep" ? "Sweep" : "Run",
      });
    }
    if (data.outcome_time) {
      const good = data.outcome === "tp1" || data.outcome === "tp2";
      markers.push({
        time: snap(data.outcome_time),
        position: (data.outcome === "stopped") === long ? "belowBar" : "aboveBar",
        shape: "square",
        color: good ? COLORS.bull : data.outcome === "stopped" ? COLORS.bear : COLORS.text,
        text: data.outcome_label,
      });
    }
    const seen = new Set();
    return markers
      .filter((m) => {
        const key = m.time + m.position + m.text;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort((a, b) => a.time - b.time);
  }

  function startSignalChart() {
    const element = document.getElementById("signal-chart");
    const dataNode = document.getElementById("signal-data");
    const LW = window.LightweightCharts;
    if (!element || !dataNode || !LW) return;
    const data = JSON.parse(dataNode.textContent);
    if (!data.candles.length) return;

    const theme = chartTheme.colours();
    COLORS = themeColours(theme);
    const chart = LW.createChart(element, { autoSize: true, ...chartTheme.chartOptions(theme) });
    // The price scale is the setup's: its levels plus a margin, whatever the candles did before (an old
    // spike must not squash the setup into a few pixels). Numbers as the levels table writes them.
    const levels = [data.entry, data.stop_loss, data.take_profit_1, data.take_profit_2];
    const margin = (Math.max(...levels) - Math.min(...levels)) * LEVEL_MARGIN;
    const range = { minValue: Math.min(...levels) - margin, maxValue: Math.max(...levels) + margin };
    const decimals = Math.min(Math.max(5 - Math.floor(Math.log10(Math.abs(data.entry) || 1)), 0), 10);
    const series = chart.addSeries(LW.CandlestickSeries, {
      ...chartTheme.candleOptions(theme),
      priceLineVisible: false, // the levels are the lines that matter here
      lastValueVisible: false,
      priceFormat: { type: "custom", formatter: price, minMove: Math.pow(10, -decimals) },
      autoscaleInfoProvider: () => ({ priceRange: { ...range } }),
    });
    series.setData(data.candles);

    const times = data.candles.map((c) => c.time);
    const first = times[0];
    const last = times[times.length - 1];
    // The candle at or before t (clamped to the data), so shapes anchored off-screen still draw.
    function snap(t) {
      if (t <= first) return first;
      if (t >= last) return last;
      let a = 0;
      let b = times.length - 1;
      while (a < b) {
        const m = (a + b + 1) >> 1;
        if (times[m] <= t) a = m;
        else b = m - 1;
      }
      return times[a];
    }

    const line = (value, color, title, style) =>
      series.createPriceLine({ price: value, color, title, lineWidth: 2, lineStyle: style, axisLabelVisible: true });
    const lines = [
      line(data.entry, COLORS.entry, "Entry", LW.LineStyle.Solid),
      line(data.stop_loss, COLORS.stop, "SL", LW.LineStyle.Dashed),
      line(data.take_profit_1, COLORS.target, "TP1", LW.LineStyle.Dashed),
      line(data.take_profit_2, COLORS.target, "TP2", LW.LineStyle.Dotted),
    ];
    const titles = ["Entry", "SL", "TP1", "TP2"];

    // Labels never overlap: lines closer than LABEL_GAP px share one label ("Entry · SL") on the first.
    function layoutLabels() {
      const placed = lines
        .map((l, i) => ({ l, i, y: series.priceToCoordinate(l.options().price) }))
        .sort((a, b) => a.l.options().price - b.l.options().price);
      let group = null;
      for (const p of placed) {
        if (group && p.y !== null && group.y !== null && Math.abs(p.y - group.y) < LABEL_GAP) {
          group.names.push(titles[p.i]);
          group.l.applyOptions({ title: group.names.join(" \u00b7 ") });
          p.l.applyOptions({ title: "", axisLabelVisible: false });
        } else {
          group = { ...p, names: [titles[p.i]] };
          p.l.applyOptions({ title: titles[p.i], axisLabelVisible: true });
        }
      }
    }

    series.attachPrimitive(new Overlay(shapesFor(data, last), snap));
    const markers = LW.createSeriesMarkers(series, markersFor(data, first, last, snap));

    // Time: some context before the signal, and the candles after it up to its outcome (or the last one).
    const at = (t) => times.indexOf(snap(t));
    const signalIndex = at(data.signal_time);
    const endIndex = data.outcome_time ? at(data.outcome_time) : times.length - 1;
    chart.timeScale().setVisibleLogicalRange({
      from: Math.max(0, signalIndex - BARS_BEFORE) - 0.5,
      to: Math.min(times.length - 1, Math.max(endIndex, signalIndex + BARS_AFTER_MIN) + BARS_PAD) + 0.5,
    });
    window.requestAnimationFrame(() => {
      layoutLabels();
      element.dataset.ready = "true";
    });
    new ResizeObserver(() => window.requestAnimationFrame(layoutLabels)).observe(element);
    // For the browser tests (and the console): the chart, its candle series, level lines and markers.
    window.flaxuSignalChart = { chart, series, lines, markers };
  }

  startSignalList();
  startSniperPanel();
  startSignalChart();
})();
