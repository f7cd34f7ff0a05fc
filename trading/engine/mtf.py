"""``analyze_mtf``: the engine on several timeframes at once (1h / 15m / 5m / 1m), each using the ones above.

Every frame is analysed on its own (``analyze``); then each signal of a lower timeframe gains or loses
points from every higher timeframe ``H``, read as it was **when that higher candle had closed**: a
candle of ``H`` opening at ``T`` is known at ``T + duration(H)`` (a 1h candle opening 10:00 at 11:00),
and a lower-timeframe bar confirmed at its own close ``t + duration`` may only use ``H`` candles known
by then. From the latest such ``H`` bar ``j``:

* **bias**: ``H``'s swing trend after ``j`` agrees with the trade: ``w_htf_bias``; opposes it:
  ``w_htf_counter``;
* **zone**: the entry lies inside a zone of ``H`` (order block, breaker, mitigation block, fair value
  gap) of the trade's direction that is alive at ``j`` (confirmed at or before ``j``, not ended at or
  before ``j``, at most ``zone_max_age`` bars old): ``w_htf_zone`` (once).

The points join the signal's confidence before signals are picked (scoring.py), and ``htf_reasons``
lists ``(timeframe, event row)`` pairs of the higher-timeframe events used (the break that set the
bias, the zone). Frames must hold closed candles only.

No look-ahead across timeframes: cutting every frame at any time ``tau`` (keeping candles closed by
``tau``) yields, per timeframe, exactly the events and signals of the full run confirmed by ``tau``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd
from numba import njit

from trading.engine.analysis import Analysis, _analyze
from trading.engine.config import DEFAULT_CONFIG, EngineConfig
from trading.engine.events import (
    BOS,
    BREAKER,
    BREAKER_INVALIDATED,
    CHOCH,
    F_BOTTOM,
    F_TOP,
    FVG,
    FVG_FILLED,
    I_CONF,
    I_DIR,
    I_KIND,
    I_REF,
    I_SCOPE,
    MB,
    MB_INVALIDATED,
    OB,
    SWING,
)
from trading.engine.signal_table import ContextRows, mtf_signals_frame
from trading.engine.timeframes import timeframe_to_timedelta
from trading.engine.validation import candle_arrays

_NS_PER_UNIT = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}
_duration = lru_cache(maxsize=64)(timeframe_to_timedelta)  # parsed once per label, not once per symbol


def close_times_ns(index: pd.DatetimeIndex, duration: pd.Timedelta) -> np.ndarray:
    """Close times of the candles opening at ``index``, as int64 nanoseconds (pandas 3 indexes may be in us).

    Integer arithmetic: pandas' datetime + timedelta checks every element for NaT, which a validated
    candle index never holds, at some 100 us per series."""
    return index.asi8 * _NS_PER_UNIT[index.unit] + duration.value


@dataclass(frozen=True, eq=False)
class MultiTimeframeAnalysis:
    """Per-timeframe analyses (highest first), their signals already scored with higher-timeframe context."""

    analyses: dict[str, Analysis]
    durations: dict[str, pd.Timedelta]

    def __getitem__(self, timeframe: str) -> Analysis:
        return self.analyses[timeframe]

    @cached_property
    def signals(self) -> pd.DataFrame:
        """Every timeframe's signals, with ``timeframe`` and ``known_at`` (close time of the confirming bar),
        ordered by ``known_at`` (then the higher timeframe first)."""
        analyses = list(self.analyses.values())
        return mtf_signals_frame(
            [a.index for a in analyses],
            [a.raw_signals for a in analyses],
            list(self.analyses),
            self.durations,
            analyses[0].config,
        )


@njit(cache=True, nogil=True)
def _zone_table(ints):
    """Rows of the swing breaks (BOS/CHoCH) and of the zones (ob, breaker, mb, fvg), both by confirmation,
    and the bar each zone ended on (-1 while alive): one compiled pass instead of a dozen numpy calls."""
    m = ints.shape[1]
    kind = ints[I_KIND]
    conf = ints[I_CONF]
    ref = ints[I_REF]
    end = np.full(m, -1, np.int64)
    breaks = np.empty(m, np.int64)
    zones = np.empty(m, np.int64)
    nb = 0
    nz = 0
    for e in range(m):
        k = kind[e]
        if k in (BOS, CHOCH) and ints[I_SCOPE, e] == SWING:
            breaks[nb] = e
            nb += 1
        if k in (OB, BREAKER, MB, FVG):
            zones[nz] = e
            nz += 1
        # the zone kind this event ends (rows ascending: a later end of the same zone overwrites)
        parent = (
            OB
            if k == BREAKER
            else BREAKER
            if k == BREAKER_INVALIDATED
            else MB
            if k == MB_INVALIDATED
            else (FVG if k == FVG_FILLED else -1)
        )
        if parent >= 0 and ref[e] >= 0 and kind[ref[e]] == parent:
            end[ref[e]] = conf[e]
    zones = zones[:nz]
    return breaks[:nb], zones, end[zones]


@njit(cache=True, nogil=True)
def _context(
    close_ns,
    bias,
    break_conf,
    break_rows,
    zone_rows,
    start,
    end,
    direction,
    top,
    bottom,
    max_age,
    known_ns,
    directions,
    entries,
    w_bias,
    w_counter,
    w_zone,
):
    """Per candidate: points, the row of the swing break behind the bias (or -1), the row of the newest
    zone alive at the last higher bar closed by ``known_ns`` that contains the entry and points the same
    way (or -1)."""
    c = known_ns.shape[0]
    points = np.empty(c)
    bias_rows = np.full(c, -1, np.int64)
    hit_rows = np.full(c, -1, np.int64)
    for k in range(c):
        j = np.searchsorted(close_ns, known_ns[k], side="right") - 1
        d = directions[k]
        b = bias[j] if j >= 0 else 0
        p = w_bias if b == d else (w_counter if b == -d else 0.0)
        if j >= 0 and b != 0:
            last = np.searchsorted(break_conf, j, side="right") - 1
            if last >= 0:
                bias_rows[k] = break_rows[last]
        hit = -1
        if j >= 0:
            z = np.searchsorted(start, j, side="right") - 1
            while z >= 0 and j - start[z] <= max_age:
                if (end[z] < 0 or end[z] > j) and direction[z] == d and bottom[z] <= entries[k] <= top[z]:
                    hit = z
                    break
                z -= 1
        if hit >= 0:
            hit_rows[k] = zone_rows[hit]
            points[k] = p + w_zone
        else:
            points[k] = p + 0.0
    return points, bias_rows, hit_rows


class HigherTimeframe:
    """What a higher timeframe offers to lower ones: close times, swing bias, zones with their lifetimes."""

    def __init__(self, timeframe: str, analysis: Analysis, duration: pd.Timedelta, config: EngineConfig) -> None:
        self.timeframe = timeframe
        self.close_ns = close_times_ns(analysis.index, duration)
        self.bias = analysis.swing_bias
        ints, floats = analysis.event_ints, analysis.event_floats
        self.break_rows, zones, self.zone_end = _zone_table(ints)
        self.break_conf = ints[I_CONF][self.break_rows]
        self.zone_rows = zones
        self.zone_start = ints[I_CONF][zones]
        self.zone_dir = ints[I_DIR][zones]
        self.zone_top = floats[F_TOP][zones]
        self.zone_bottom = floats[F_BOTTOM][zones]
        self.max_age = config.zone_max_age

    def context(self, known_ns: np.ndarray, directions: np.ndarray, entries: np.ndarray, config: EngineConfig):
        """(points, reasons) per lower-timeframe candidate known at ``known_ns``; reasons as (timeframe,
        event row) pairs per candidate."""
        points, bias_rows, zone_rows = self.context_arrays(known_ns, directions, entries, config)
        return points, [
            [(self.timeframe, int(r)) for r in (b, z) if r >= 0] for b, z in zip(bias_rows, zone_rows, strict=True)
        ]

    def context_arrays(self, known_ns, directions, entries, config: EngineConfig):
        """(points, row of the break behind the bias or -1, row of the zone or -1) per candidate."""
        return _context(
            self.close_ns,
            self.bias,
            self.break_conf,
            self.break_rows,
            self.zone_rows,
            self.zone_start,
            self.zone_end,
            self.zone_dir,
            self.zone_top,
            self.zone_bottom,
            int(self.max_age),
            np.asarray(known_ns, np.int64),
            np.asarray(directions, np.int64),
            np.asarray(entries, np.float64),
            float(config.w_htf_bias),
            float(config.w_htf_counter),
            float(config.w_htf_zone),
        )


def analyze_mtf(frames: Mapping[str, pd.DataFrame], config: EngineConfig | None = None) -> MultiTimeframeAnalysis:
    """Analyse each timeframe, scoring lower-timeframe signals with closed higher-timeframe candles.

    ``frames`` maps timeframe labels ("1h", "15m", "5m", "1m", ...) to candles as ``analyze`` takes them.
    """
    config = config or DEFAULT_CONFIG
    if not frames:
        raise ValueError("analyze_mtf needs at least one timeframe")
    durations = {tf: _duration(tf) for tf in frames}
    if len(set(durations.values())) != len(durations):
        raise ValueError(f"two labels name the same timeframe: {sorted(frames)}")
    order = sorted(frames, key=lambda tf: durations[tf], reverse=True)
    higher: list[HigherTimeframe] = []
    analyses: dict[str, Analysis] = {}
    for tf in order:
        candles = frames[tf]
        arrays = candle_arrays(candles)
        close_ns = close_times_ns(candles.index, durations[tf])
        above = list(higher)
        context_max = sum(max(config.w_htf_bias, 0.0) + max(config.w_htf_zone, 0.0) for _ in above)

        def context(bars, directions, entries, above=above, close_ns=close_ns):
            points = np.zeros(bars.shape[0])
            rows = []
            for h in above:
                p, bias_rows, zone_rows = h.context_arrays(close_ns[bars], directions, entries, config)
                points += p
                rows += [bias_rows, zone_rows]
            labels = tuple(h.timeframe for h in above for _ in range(2))
            return points, ContextRows(labels, np.array(rows, np.int64).reshape(len(rows), bars.shape[0]))

        analysis = _analyze(arrays, candles.index, config, context, context_max)
        analyses[tf] = analysis
        if tf != order[-1]:
            higher.append(HigherTimeframe(tf, analysis, durations[tf], config))
    return MultiTimeframeAnalysis(analyses, {tf: durations[tf] for tf in order})
