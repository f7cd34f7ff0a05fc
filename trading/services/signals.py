"""Live ICT signals: the engine over stored closed candles, one ``Signal`` row per new signal, pushed.

A run is queued for exactly the series whose candle closed: ``market.signals.candles_closed`` (sent
when the candles are stored) is connected in ``trading.receivers``, which queues ``run_signals`` after
the transaction commits. Each series (exchange, symbol, timeframe) keeps a ``SignalScan`` cursor: the
newest closed candle already analysed. A run analyses the latest ``FLAXU_SIGNAL_LOOKBACK_BARS`` closed
candles (5m and 15m with 1h/4h context, as a backtest does: ``trading.services.series``) and saves only
the signals confirmed on candles after the cursor (on a series' first run: on the latest
``FLAXU_SIGNAL_BACKFILL_BARS`` candles), so a stored signal is never rewritten and a rerun adds nothing.
Because the engine has no look-ahead, the signals it confirms on a new candle are the ones it would
have confirmed had it run on every candle as it closed.

Only a signal on the newest candle closed by the clock when the run happens is live: it is pushed and may
be executed. One confirmed on an older candle (a first run's backfill, catch-up after an outage or a
backlog) is stored with ``historical=True``: shown in lists, never pushed as new, never auto-executable.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from django.db import transaction
from django.urls import reverse

from core.realtime.push import group_name, push
from market.formatting import symbol_label
from market.selectors.candles import candle_exchanges, candle_frame
from market.sources import MarketSource, get_source
from trading import conf
from trading.engine import EngineConfig
from trading.engine.timeframes import timeframe_to_timedelta
from trading.models import Signal, SignalScan
from trading.models.fields import PRICE, to_decimal
from trading.services.evidence import signals_attach_evidence
from trading.services.execution import signal_fan_out_on_commit
from trading.services.explain import higher_timeframe_sentences, setup_label, signal_story
from trading.services.series import context_frames, series_analyses, warmup_start

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


def _closed_candles(exchange: str, symbol: str, timeframe: str, now: datetime) -> pd.DataFrame:
    step = timeframe_to_timedelta(timeframe)
    end = pd.Timestamp(now) - step + pd.Timedelta(microseconds=1)  # open times up to now - step: closed
    frame = candle_frame(exchange, symbol, timeframe, end=end.to_pydatetime(), limit=conf.signal_lookback_bars())
    if frame.empty:
        return frame
    # The window a backtest judging this bar reads: a gap never stretches it further back.
    return frame[frame.index >= pd.Timestamp(warmup_start(timeframe, frame.index[-1].to_pydatetime()))]


def latest_closed(timeframe: str, now: datetime) -> datetime:
    """Open time of the newest candle of ``timeframe`` closed by ``now`` on the clock (stored or not)."""
    step = int(timeframe_to_timedelta(timeframe).total_seconds())
    return datetime.fromtimestamp((int(now.timestamp()) // step - 1) * step, tz=UTC)


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

    step = timeframe_to_timedelta(timeframe).to_pytimedelta()
    context = context_frames(exchange, symbol, timeframe, first=last_bar, end=last_bar + step)
    analyses = series_analyses(frame, timeframe, context, config or conf.engine_config())
    analysis = analyses[timeframe]
    signals = analysis.signals
    live_bar = latest_closed(timeframe, now)

    with transaction.atomic():
        scan = SignalScan.objects.select_for_update().get(pk=scan.pk)
        if scan.analysed_until is not None:
            keep = signals["time"] > pd.Timestamp(scan.analysed_until)
        else:
            keep = signals["confirmed"] >= len(frame) - conf.signal_backfill_bars()
        positions = [int(p) for p in keep.to_numpy().nonzero()[0]]
        zones = analysis.zones() if positions else None
        rows = [_signal_row(analyses, timeframe, p, zones, exchange, symbol, live_bar) for p in positions]
        stored = set(
            Signal.objects.filter(
                exchange=exchange, symbol=symbol, timeframe=timeframe, bar_time__in=[r.bar_time for r in rows]
            ).values_list("bar_time", "direction")
        )
        fresh = [r for r in rows if (r.bar_time, r.direction) not in stored]
        signals_attach_evidence(fresh)  # the evidence as it stands when they become known
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
            if not signal.historical:
                signals_push(signal)
                signal_fan_out_on_commit(signal)  # automation: one order task per eligible user
    if created:
        live = sum(not signal.historical for signal in created)
        logger.info("signals %s %s %s: %d new (%d live)", exchange, symbol, timeframe, len(created), live)
    return created


def _signal_row(
    analyses: dict, timeframe: str, position: int, zones, exchange: str, symbol: str, live_bar: datetime
) -> Signal:
    analysis = analyses[timeframe]
    s = analysis.signals.iloc[position]
    reasons, events = signal_story(analysis, position, zones)
    reasons[-1:-1] = higher_timeframe_sentences(analyses, s)  # before the levels sentence
    bar_time = pd.Timestamp(s.time).to_pydatetime()
    return Signal(
        exchange=exchange,
        symbol=symbol,
        timeframe=timeframe,
        bar_time=bar_time,
        known_at=Signal.close_of(bar_time, timeframe),
        historical=bar_time < live_bar,
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
        "historical": signal.historical,
        "url": reverse("signal_detail", args=[signal.pk]),
    }


def signals_push(signal: Signal) -> None:
    """Tell FULL users' pages: ``signals.<symbol>`` and ``signals.all``, type ``signal`` (after commit)."""
    data = signal_event(signal)
    push(group_name("signals", signal.symbol), SIGNAL_EVENT, data)
    push(ALL_SIGNALS_GROUP, SIGNAL_EVENT, data)
