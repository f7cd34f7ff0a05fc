"""The signal quality report over stored candles: every series' signals in a period, their outcomes and
the walk-forward evidence each had, as a reliability table (``trading.engine.reliability``).

Each stored series (optionally one timeframe) is analysed on its candles from ``FLAXU_SIGNAL_LOOKBACK_BARS``
bars before ``start`` up to ``end``; signals confirmed in [start, end) are kept and followed to their
outcome on the candles up to ``end`` (later ones stay open). Evidence pools every series of the report.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from market.selectors.candles import candle_frame, stored_series
from trading import conf
from trading.engine import analyze
from trading.engine.reliability import judge, reliability_table, series_outcomes
from trading.engine.timeframes import timeframe_to_timedelta

MIN_BARS = 60  # as a live run: fewer candles give nothing meaningful


def signal_report(*, start: datetime, end: datetime, timeframe: str | None = None) -> pd.DataFrame:
    """The reliability table of the signals confirmed in [start, end) on stored candles."""
    parts = []
    for exchange, symbol, tf in stored_series():
        if timeframe is not None and tf != timeframe:
            continue
        step = timeframe_to_timedelta(tf).to_pytimedelta()
        candles = candle_frame(exchange, symbol, tf, start=start - conf.signal_lookback_bars() * step, end=end)
        if len(candles) < MIN_BARS:
            continue
        signals = analyze(candles, conf.engine_config()).signals
        signals = signals[signals["time"] >= pd.Timestamp(start)]
        if signals.empty:
            continue
        parts.append(series_outcomes(candles, signals, tf, conf.outcome_config()))
    if not parts:
        return reliability_table(pd.DataFrame())
    config = conf.evidence_config()
    return reliability_table(judge(pd.concat(parts, ignore_index=True), config), bucket_width=config.bucket_width)
