"""Live ICT signals: the engine over stored closed candles, one ``Signal`` row per new signal, pushed.

Each series (exchange, symbol, timeframe) keeps a ``SignalScan`` cursor: the newest closed candle
already analysed. A run analyses the latest ``FLAXU_SIGNAL_LOOKBACK_BARS`` closed candles and saves only
the signals confirmed on candles after the cursor (on a series' first run: on the latest
``FLAXU_SIGNAL_BACKFILL_BARS`` candles), so a stored signal is never rewritten and a rerun adds nothing.
Because the engine has no look-ahead, the signals it confirms on a new candle are the ones it would
have confirmed had it run on every candle as it closed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import pandas as pd
from django.db import transaction
from django.urls import reverse

from core.realtime.push import group_name, push
from market.formatting import symbol_label
from market.selectors.candles import candle_exchanges, candle_frame, candle_last_time
from market.sources import MarketSource, get_source
from trading import conf
from trading.engine import EngineConfig, analyze
from trading.engine.timeframes import timeframe_to_timedelta
from trading.models import Signal, SignalScan
from trading.models.fields import PRICE, to_decimal
from trading.services.explain import setup_label, signal_story

logger = logging.getLogger(__name__)

ALL_SIGNALS_GROUP = "signals.all"
SIGNAL_EVENT = "signal"
MIN_BARS = 60  # fewer closed candles than this: nothing meaningful to analyse yet
_PLACES = PRICE["decimal_places"]


def signal_series(*, source: MarketSource | None = None) -> list[tuple[str, str, str]]:
    """Every (exchange, symbol, timeframe) the live engine follows (FLAXU_SIGNAL_SYMBOLS / _TIMEFRAMES)."""
    source = source or get_source()
    symbols = conf.signal_symbols() or source.universe()
    timeframes = conf.signal_timeframes()
    return [(e, s, tf) for e in candle_exchanges(source) for s in symbols for tf in timeframes]


def signals_due(*, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """The followed series with a closed candle stored after their cursor (what a beat tick should run)."""
    source = get_source()
    now = now or source.now()
    cursors = {
        (s.exchange, s.symbol, s.timeframe): s.analysed_until
        for s in SignalScan.objects.all().only("exchange", "symbol", "timeframe", "analysed_until")
    }
    due = []
    for series in signal_series(source=source):
        step = timeframe_to_timedelta(series[2]).to_pytimedelta()
        last = cursors.get(series)
        if last is not None and last + 2 * step > now:
            continue  # the candle after the cursor has not closed yet: no query needed
        newest = candle_last_time(*series)
        if newest is not None and newest + step > now:
            newest -= step  # the newest stored candle is still forming: the one before it is what closed
        if newest is not None and (last is None or newest > last):
            due.append(series)
    return due


def _closed_candles(exchange: str, symbol: str, timeframe: str, now: datetime) -> pd.DataFrame:
    frame = candle_frame(exchange, symbol, timeframe, limit=conf.signal_lookback_bars())
    step = timeframe_to_timedelta(timeframe)
    return frame[frame.index + step <= pd.Timestamp(now)]


def signals_run(
    *,
    exchange: str,
    symbol: str,
    timeframe: str,
    now: datetime | None = None,
    config: EngineConfig | None = None,
) -> list[Signal]:
    """Analyse the series' closed candles and save (and push) the signals confirmed since the last run.

    Returns the new rows, oldest first. Safe to run twice or concurrently: rows are unique per series,
    bar and direction, and the cursor only moves forward.
    """
    now = now or get_source().now()
    frame = _closed_candles(exchange, symbol, timeframe, now)
    if len(frame) < MIN_BARS:
        return []
    last_bar = frame.index[-1].to_pydatetime()
    scan, _ = SignalScan.objects.get_or_create(exchange=exchange, symbol=symbol, timeframe=timeframe)
    if scan.analysed_until is not None and scan.analysed_until >= last_bar:
        return []

    analysis = analyze(frame, config or conf.engine_config())
    signals = analysis.signals

    with transaction.atomic():
        scan = SignalScan.objects.select_for_update().get(pk=scan.pk)
        if scan.analysed_until is not None:
            keep = signals["time"] > pd.Timestamp(scan.analysed_until)
        else:
            keep = signals["confirmed"] >= len(frame) - conf.signal_backfill_bars()
        positions = [int(p) for p in keep.to_numpy().nonzero()[0]]
        zones = analysis.zones() if positions else None
        rows = [_signal_row(analysis, p, zones, exchange, symbol, timeframe) for p in positions]
        stored = set(
            Signal.objects.filter(
                exchange=exchange, symbol=symbol, timeframe=timeframe, bar_time__in=[r.bar_time for r in rows]
            ).values_list("bar_time", "direction")
        )
        fresh = [r for r in rows if (r.bar_time, r.direction) not in stored]
        Signal.objects.bulk_create(fresh, ignore_conflicts=True)
        if scan.analysed_until is None or last_bar > scan.analysed_until:
            scan.analysed_until = last_bar
            scan.save(update_fields=["analysed_until", "updated_at"])
        created = list(
            Signal.objects.filter(
                exchange=exchange, symbol=symbol, timeframe=timeframe, bar_time__in=[r.bar_time for r in fresh]
            ).order_by("bar_time", "id")
        )
        for signal in created:
            signals_push(signal)
    if created:
        logger.info("signals %s %s %s: %d new", exchange, symbol, timeframe, len(created))
    return created


def _signal_row(analysis, position: int, zones, exchange: str, symbol: str, timeframe: str) -> Signal:
    s = analysis.signals.iloc[position]
    reasons, events = signal_story(analysis, position, zones)
    bar_time = pd.Timestamp(s.time).to_pydatetime()
    return Signal(
        exchange=exchange,
        symbol=symbol,
        timeframe=timeframe,
        bar_time=bar_time,
        known_at=Signal.close_of(bar_time, timeframe),
        direction=str(s.direction),
        setup=str(s.setup),
        entry=to_decimal(s.entry, _PLACES),
        stop_loss=to_decimal(s.stop_loss, _PLACES),
        take_profit_1=to_decimal(s.take_profit_1, _PLACES),
        take_profit_2=to_decimal(s.take_profit_2, _PLACES),
        confidence=int(s.confidence),
        reasons=reasons,
        events=events,
    )


def signal_event(signal: Signal) -> dict[str, Any]:
    """What a browser gets for one signal (the list row's fields)."""
    return {
        "id": signal.pk,
        "exchange": signal.exchange,
        "symbol": signal.symbol,
        "symbol_label": symbol_label(signal.symbol),
        "timeframe": signal.timeframe,
        "bar_time": signal.bar_time,
        "known_at": signal.known_at,
        "direction": signal.direction,
        "setup": signal.setup,
        "setup_label": setup_label(signal.setup),
        "entry": signal.entry,
        "stop_loss": signal.stop_loss,
        "take_profit_1": signal.take_profit_1,
        "take_profit_2": signal.take_profit_2,
        "confidence": signal.confidence,
        "auto_executable": signal.auto_executable,
        "url": reverse("signal_detail", args=[signal.pk]),
    }


def signals_push(signal: Signal) -> None:
    """Tell FULL users' pages: ``signals.<symbol>`` and ``signals.all``, type ``signal`` (after commit)."""
    data = signal_event(signal)
    push(group_name("signals", signal.symbol), SIGNAL_EVENT, data)
    push(ALL_SIGNALS_GROUP, SIGNAL_EVENT, data)
