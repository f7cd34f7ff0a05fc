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
from functools import cached_property

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

_END_OF = {OB: BREAKER, BREAKER: BREAKER_INVALIDATED, MB: MB_INVALIDATED, FVG: FVG_FILLED}


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
        return mtf_signals_frame([a.index for a in analyses], [a.raw_signals for a in analyses], list(self.analyses),
                                 self.durations, analyses[0].config)


@njit(cache=True, nogil=True)
def _zone_hits(bars, directions, entries, start, end, direction, top, bottom, max_age):
    """Per candidate (higher-timeframe bar ``bars[c]``): the newest zone alive there that contains the
    entry and points the same way, as an index into the zone arrays (sorted by start), or -1."""
    c = bars.shape[0]
    out = np.full(c, -1, np.int64)
    for k in range(c):
        j = bars[k]
        if j < 0:
            continue
        z = np.searchsorted(start, j, side="right") - 1
        while z >= 0 and j - start[z] <= max_age:
            if ((end[z] < 0 or end[z] > j) and direction[z] == directions[k]
                    and bottom[z] <= entries[k] <= top[z]):
                out[k] = z
                break
            z -= 1
    return out


class HigherTimeframe:
    """What a higher timeframe offers to lower ones: close times, swing bias, zones with their lifetimes."""

    def __init__(self, timeframe: str, analysis: Analysis, duration: pd.Timedelta, config: EngineConfig) -> None:
        self.timeframe = timeframe
        self.close_ns = (analysis.index + duration).as_unit("ns").asi8  # pandas 3 indexes may be in us
        self.bias = analysis.swing_bias
        ints, floats = analysis.event_ints, analysis.event_floats
        kind, conf = ints[I_KIND], ints[I_CONF]
        swing_breaks = np.flatnonzero(((kind == BOS) | (kind == CHOCH)) & (ints[I_SCOPE] == SWING))
        self.break_rows = swing_breaks
        self.break_conf = conf[swing_breaks]
        zones = np.flatnonzero((kind == OB) | (kind == BREAKER) | (kind == MB) | (kind == FVG))  # by confirmation
        end = np.full(ints.shape[1], -1, np.int64)
        for zone_kind, end_kind in _END_OF.items():
            ends = np.flatnonzero(kind == end_kind)
            parents = ints[I_REF][ends]
            ok = (parents >= 0) & (kind[np.maximum(parents, 0)] == zone_kind)
            end[parents[ok]] = conf[ends[ok]]
        self.zone_rows = zones
        self.zone_start = conf[zones]
        self.zone_end = end[zones]
        self.zone_dir = ints[I_DIR][zones]
        self.zone_top = floats[F_TOP][zones]
        self.zone_bottom = floats[F_BOTTOM][zones]
        self.max_age = config.zone_max_age

    def context(self, known_ns: np.ndarray, directions: np.ndarray, entries: np.ndarray, config: EngineConfig):
        """(points, reasons) per lower-timeframe candidate known at ``known_ns``; reasons as (timeframe,
        event row) pairs per candidate."""
        points, bias_rows, zone_rows = self.context_arrays(known_ns, directions, entries, config)
        return points, [[(self.timeframe, int(r)) for r in (b, z) if r >= 0]
                        for b, z in zip(bias_rows, zone_rows, strict=True)]

    def context_arrays(self, known_ns, directions, entries, config: EngineConfig):
        """(points, row of the break behind the bias or -1, row of the zone or -1) per candidate."""
        j = np.searchsorted(self.close_ns, known_ns, side="right") - 1
        have = j >= 0
        bias = np.where(have, self.bias[np.maximum(j, 0)], 0) if self.bias.size else np.zeros(j.size, np.int64)
        points = np.where(bias == directions, config.w_htf_bias,
                          np.where(bias == -directions, config.w_htf_counter, 0.0))
        last_break = np.searchsorted(self.break_conf, j, side="right") - 1
        bias_rows = np.where(have & (bias != 0) & (last_break >= 0), self.break_rows[np.maximum(last_break, 0)]
                             if self.break_rows.size else -1, -1)
        hit = _zone_hits(np.where(have, j, -1), np.asarray(directions, np.int64), np.asarray(entries, np.float64),
                         self.zone_start, self.zone_end, self.zone_dir, self.zone_top, self.zone_bottom,
                         int(self.max_age))
        zone_rows = np.where(hit >= 0, self.zone_rows[np.maximum(hit, 0)] if self.zone_rows.size else -1, -1)
        points = points + np.where(hit >= 0, config.w_htf_zone, 0.0)
        return points, bias_rows, zone_rows


def analyze_mtf(frames: Mapping[str, pd.DataFrame], config: EngineConfig | None = None) -> MultiTimeframeAnalysis:
    """Analyse each timeframe, scoring lower-timeframe signals with closed higher-timeframe candles.

    ``frames`` maps timeframe labels ("1h", "15m", "5m", "1m", ...) to candles as ``analyze`` takes them.
    """
    config = config or DEFAULT_CONFIG
    if not frames:
        raise ValueError("analyze_mtf needs at least one timeframe")
    durations = {tf: timeframe_to_timedelta(tf) for tf in frames}
    if len(set(durations.values())) != len(durations):
        raise ValueError(f"two labels name the same timeframe: {sorted(frames)}")
    order = sorted(frames, key=lambda tf: durations[tf], reverse=True)
    higher: list[HigherTimeframe] = []
    analyses: dict[str, Analysis] = {}
    for tf in order:
        candles = frames[tf]
        arrays = candle_arrays(candles)
        close_ns = (candles.index + durations[tf]).as_unit("ns").asi8
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
