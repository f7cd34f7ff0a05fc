"""What the engine reads for one series, the same for a live run and a backtest (one code path).

A series' candles are read from ``FLAXU_SIGNAL_LOOKBACK_BARS - 1`` bars before the first bar judged
(a live run judges its newest closed bar; a backtest its period's first), so the first bar a backtest
judges sees exactly the window the live run on that bar saw. 5m and 15m series are scored with
higher-timeframe context (``CONTEXT``: 1h, and 4h where stored) through ``analyze_mtf``; a context
frame holds the same number of its own bars before that first bar, closed candles only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd

from market.selectors.candles import candle_frame
from trading import conf
from trading.engine import Analysis, EngineConfig, analyze, analyze_mtf
from trading.engine.timeframes import timeframe_to_timedelta

# Higher timeframes whose trend and zones score a series' signals (when their candles are stored).
CONTEXT: dict[str, tuple[str, ...]] = {"5m": ("1h", "4h"), "15m": ("1h", "4h")}
MIN_CONTEXT_BARS = 60  # fewer stored context candles than this: the timeframe gives no context

Loader = Callable[[str, datetime, datetime], pd.DataFrame]  # (timeframe, start, end) -> candles


def step_of(timeframe: str) -> pd.Timedelta:
    return timeframe_to_timedelta(timeframe)


def warmup_start(timeframe: str, first: datetime) -> datetime:
    """Open time of the oldest candle read so the bar opening at ``first`` is judged on a full lookback."""
    return first - (conf.signal_lookback_bars() - 1) * step_of(timeframe).to_pytimedelta()


def closed_by(frame: pd.DataFrame, timeframe: str, end: datetime) -> pd.DataFrame:
    """The candles of ``frame`` that had closed by ``end``."""
    return frame[frame.index + step_of(timeframe) <= pd.Timestamp(end)]


def context_frames(
    exchange: str, symbol: str, timeframe: str, *, first: datetime, end: datetime, loader: Loader | None = None
) -> dict[str, pd.DataFrame]:
    """The stored higher-timeframe candles that score ``timeframe``'s signals from ``first`` to ``end``."""
    load = loader or (lambda tf, start, stop: candle_frame(exchange, symbol, tf, start=start, end=stop))
    first_close = first + step_of(timeframe).to_pytimedelta()
    frames = {}
    for higher in CONTEXT.get(timeframe, ()):
        start = first_close - conf.signal_lookback_bars() * step_of(higher).to_pytimedelta()
        frame = closed_by(load(higher, start, end), higher, end)
        if len(frame) >= MIN_CONTEXT_BARS:
            frames[higher] = frame
    return frames


def series_analyses(
    frame: pd.DataFrame, timeframe: str, context: dict[str, pd.DataFrame], config: EngineConfig
) -> dict[str, Analysis]:
    """The engine on ``frame`` (``analyze`` alone, or ``analyze_mtf`` with the context frames): each
    timeframe's analysis, so a signal's higher-timeframe reasons can be told."""
    if not context:
        return {timeframe: analyze(frame, config)}
    return dict(analyze_mtf({timeframe: frame, **context}, config).analyses)


def series_analysis(
    frame: pd.DataFrame, timeframe: str, context: dict[str, pd.DataFrame], config: EngineConfig
) -> Analysis:
    """``frame``'s analysis, its signals scored with the context frames."""
    return series_analyses(frame, timeframe, context, config)[timeframe]
