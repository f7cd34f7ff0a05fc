"""``analyze``: candles in, events and signals out, with nothing computed from the future.

For every ``k``, ``analyze(candles[:k])`` yields exactly the rows of ``analyze(candles)`` whose
``confirmed < k`` (events and signals, same row order, same values). Every detector is a causal state
machine or a window ending at the current bar, and rows are sorted by confirmation; the property tests
in ``tests/trading/engine`` check it over random series and prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from trading.engine.config import DEFAULT_CONFIG, EngineConfig
from trading.engine.events import KINDS, events_frame
from trading.engine.pipeline import detect_sorted
from trading.engine.scoring import SETUPS, Context, RawSignals, score_signals
from trading.engine.signal_table import signals_frame
from trading.engine.validation import CandleArrays, candle_arrays

# zone kind -> the kind that ends it
ZONE_END = {"ob": "breaker", "breaker": "breaker_invalidated", "mb": "mb_invalidated", "fvg": "fvg_filled"}


@dataclass(frozen=True, eq=False)
class Analysis:
    """The engine's answer for one series of candles.

    ``events`` and ``signals`` are documented in events.py and scoring.py; ``swing_bias`` and
    ``internal_bias`` hold the trend after each bar (+1/-1/0), ``atr`` the ATR used for distances.
    Both tables are built from compact arrays when first read.
    """

    index: pd.DatetimeIndex
    config: EngineConfig
    swing_bias: np.ndarray
    internal_bias: np.ndarray
    atr: np.ndarray
    event_ints: np.ndarray = field(repr=False)
    event_floats: np.ndarray = field(repr=False)
    raw_signals: RawSignals = field(repr=False)

    @cached_property
    def events(self) -> pd.DataFrame:
        return events_frame(self.event_ints, self.event_floats)

    @cached_property
    def signals(self) -> pd.DataFrame:
        return signals_frame(self.raw_signals, self.index, self.config)

    def zones(self) -> pd.DataFrame:
        """Zones (ob, breaker, mb, fvg) with the bar they ended on (``end``, -1 while alive).

        ``start`` is the zone's confirmation bar; a zone is active on bars ``start <= i < end`` and at
        most ``zone_max_age`` bars after ``start``. The index holds the zones' event-table rows.
        """
        ev = self.events
        kinds = ev["kind"].astype(str)
        zones = ev.loc[
            kinds.isin(list(ZONE_END)), ["kind", "scope", "direction", "bar", "confirmed", "top", "bottom", "level"]
        ].rename(columns={"confirmed": "start"})
        zones["kind"] = zones["kind"].astype(str)
        ends = ev[kinds.isin(list(ZONE_END.values())) & (ev["ref"] >= 0)]
        wanted = ends["ref"].to_numpy()
        expected = zones["kind"].map(ZONE_END).reindex(wanted).to_numpy()
        match = kinds[ends.index].to_numpy() == expected
        zones["end"] = np.int64(-1)
        zones.loc[wanted[match], "end"] = ends["confirmed"].to_numpy()[match]
        return zones

    def explain(self, signal: int) -> str:
        """The signal at row ``signal`` and one line per event behind it."""
        row = self.signals.iloc[signal]
        lines = [
            f"{row.direction} {row.setup} at bar {row.confirmed} ({row.time}): entry {row.entry:.6g}, "
            f"stop {row.stop_loss:.6g}, targets {row.take_profit_1:.6g} / {row.take_profit_2:.6g}, "
            f"confidence {row.confidence}"
        ]
        for r in row.reasons:
            e = self.events.iloc[r]
            scope = f" {e.scope}" if e.scope else ""
            lines.append(
                f"  #{r}{scope} {e.kind} {e.direction:+d} bar {e.bar} confirmed {e.confirmed}: "
                f"{e.bottom:.6g} .. {e.top:.6g}"
            )
        return "\n".join(lines)


def analyze(candles: pd.DataFrame, config: EngineConfig | None = None) -> Analysis:
    """Run every detector and the scoring over ``candles`` (UTC DatetimeIndex, float64 OHLCV)."""
    config = config or DEFAULT_CONFIG
    return _analyze(candle_arrays(candles), candles.index, config)


def _analyze(
    arrays: CandleArrays,
    index: pd.DatetimeIndex,
    config: EngineConfig,
    context: Context | None = None,
    context_max: float = 0.0,
) -> Analysis:
    ints, floats, atr, swing_bias, internal_bias = detect(arrays, config)
    signals = score_signals(ints, floats, arrays, atr, swing_bias, internal_bias, config, context, context_max)
    return Analysis(index, config, swing_bias, internal_bias, atr, ints, floats, signals)


_ARGS: dict[int, tuple] = {}  # id(config) -> (config, detector arguments): hashing a config costs ~10 us


def _detector_args(config: EngineConfig) -> tuple:
    hit = _ARGS.get(id(config))
    if hit is not None and hit[0] is config:
        return hit[1]
    c = config
    args = (
        int(c.atr_period),
        int(c.swing_size),
        int(c.internal_size),
        float(c.ob_max_candle_atr),
        int(c.zone_max_age),
        float(c.fvg_min_atr),
        float(c.fvg_min_body),
        float(c.pool_atr),
        int(c.pool_lookback),
    )
    if len(_ARGS) >= 64:
        _ARGS.clear()
    _ARGS[id(config)] = (config, args)
    return args


def detect(arrays: CandleArrays, config: EngineConfig):
    """Every detector (pipeline.py); returns sorted (ints, floats), atr, swing bias, internal bias."""
    return detect_sorted(arrays.open, arrays.high, arrays.low, arrays.close, *_detector_args(config))


__all__ = ["KINDS", "SETUPS", "Analysis", "analyze"]
