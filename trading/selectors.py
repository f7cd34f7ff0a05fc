"""Trading queries: signals with filters, sniper alerts, backtests of a user, calibration, chart data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import pandas as pd
from django.db.models import QuerySet

from core.csv_stream import csv_lines
from market.selectors.candles import candle_frame
from trading.engine.backtest import CalibrationLookup, calibration_lookup
from trading.engine.timeframes import timeframe_to_timedelta
from trading.models import Backtest, BacktestTrade, Calibration, Signal, SniperAlert
from trading.signal_figures import executable_q

CHART_BARS_BEFORE = 150
CHART_BARS_AFTER = 60


def signals_filtered(
    *,
    symbol: str | None = None,
    timeframe: str | None = None,
    direction: str | None = None,
    min_confidence: int | None = None,
    setup: str | None = None,
    since: datetime | None = None,
    executable: bool = False,
) -> QuerySet[Signal]:
    """Signals, the newest known first (``known_at``: the close of their candle), narrowed by the filters;
    ``executable``: only those ``Signal.verdict`` calls auto-executable."""
    qs = Signal.objects.filter(executable_q()) if executable else Signal.objects.all()
    if symbol:
        qs = qs.filter(symbol=symbol)
    if timeframe:
        qs = qs.filter(timeframe=timeframe)
    if direction:
        qs = qs.filter(direction=direction)
    if min_confidence is not None:
        qs = qs.filter(confidence__gte=min_confidence)
    if setup:
        qs = qs.filter(setup=setup)
    if since is not None:
        qs = qs.filter(bar_time__gte=since)
    return qs.order_by("-known_at", "-id")


def signal_symbols() -> list[str]:
    """Symbols that have signals (for the filter)."""
    return list(Signal.objects.order_by("symbol").values_list("symbol", flat=True).distinct())


def sniper_alerts(*, symbol: str | None = None, move: str | None = None, since: datetime | None = None):
    qs = SniperAlert.objects.all()
    if symbol:
        qs = qs.filter(symbol=symbol)
    if move:
        qs = qs.filter(move=move)
    if since is not None:
        qs = qs.filter(time__gte=since)
    return qs.order_by("-time", "-id")


def backtests_of(user) -> QuerySet[Backtest]:
    return Backtest.objects.filter(user=user).order_by("-created_at", "-id")


QUEUE_HORIZON = timedelta(days=1)  # a backtest queued longer than this lost its task: it holds no one up


def backtest_queue_position(backtest: Backtest) -> int | None:
    """Place of a queued backtest among all users' queued ones (1: it starts next); None once it runs."""
    if backtest.status != Backtest.Status.QUEUED:
        return None
    ahead = Backtest.objects.filter(
        status=Backtest.Status.QUEUED, pk__lt=backtest.pk, created_at__gte=backtest.created_at - QUEUE_HORIZON
    )
    return ahead.count() + 1


def calibration_latest() -> Calibration | None:
    return Calibration.objects.order_by("-created_at", "-id").first()


@lru_cache(maxsize=4)
def _table(snapshot_id: int, created_at: datetime | None) -> pd.DataFrame:
    """A snapshot's table as a DataFrame (cached: snapshots never change; created_at guards a reused id)."""
    rows = Calibration.objects.filter(pk=snapshot_id).values_list("table", flat=True).first() or []
    columns = ["setup", "bucket", "low", "high", "cases", "tp1_hits", "hit_rate"]
    return pd.DataFrame(rows, columns=columns).astype({"low": float, "high": float, "cases": int, "tp1_hits": int})


def signal_calibration(signal: Signal, snapshot: Calibration | None = None) -> CalibrationLookup:
    """How often backtested setups like ``signal`` (same setup, same confidence bucket) reached TP1."""
    snapshot = snapshot if snapshot is not None else calibration_latest()
    table = _table(snapshot.pk, snapshot.created_at) if snapshot is not None else _table(0, None)
    return calibration_lookup(table, signal.setup, signal.confidence)


def signal_chart(signal: Signal) -> dict[str, Any]:
    """Candles around the signal (``CHART_BARS_BEFORE`` before, up to ``CHART_BARS_AFTER`` after) for the chart.

    ``{"candles": [{"time": epoch s, "open", "high", "low", "close"}], "signal_time": epoch s}``; prices
    are floats (a chart draws them; the signal's own prices stay Decimal).
    """
    step = timeframe_to_timedelta(signal.timeframe).to_pytimedelta()
    frame = candle_frame(
        signal.exchange,
        signal.symbol,
        signal.timeframe,
        start=signal.bar_time - CHART_BARS_BEFORE * step,
        end=signal.bar_time + (CHART_BARS_AFTER + 1) * step,
    )
    times = frame.index.asi8 // 1_000_000_000
    candles = [
        {"time": int(t), "open": o, "high": h, "low": lo, "close": c}
        for t, o, h, lo, c in zip(
            times.tolist(), *(frame[col].tolist() for col in ("open", "high", "low", "close")), strict=True
        )
    ]
    return {
        "candles": candles,
        "signal_time": int(signal.bar_time.timestamp()),
        "step": int(step / timedelta(seconds=1)),
    }


TRADE_CSV_COLUMNS = (
    "number", "setup", "confidence", "side", "entry_time", "entry_price", "stop_loss", "take_profit_1",
    "take_profit_2", "size", "notional", "tp1_hit", "tp1_time", "tp1_price", "exit_time", "exit_price",
    "exit_reason", "gross_pnl", "fees", "funding", "pnl", "r_multiple", "bars_held", "equity_before",
)  # fmt: skip


def backtest_trades_csv(backtest: Backtest) -> Iterator[str]:
    """The backtest's trades as CSV lines (a header, then one line per trade), for streaming."""
    rows = BacktestTrade.objects.filter(backtest=backtest).order_by("number").values_list(*TRADE_CSV_COLUMNS)
    return csv_lines(TRADE_CSV_COLUMNS, rows.iterator(chunk_size=2000))
