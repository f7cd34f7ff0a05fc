"""From events to signals: setups, stop and targets, confluence points, one signal per bar.

**Setups** (the ``setup`` label the backtester's calibration table groups by), each triggered at the
close of the bar ``t`` of its event, in the event's direction:

===================================  ===========================================================
swing_ob / internal_ob               first retest of an order block (``ob_mitigated``)
swing_breaker / internal_breaker     first retest of a breaker block (``breaker_mitigated``)
swing_mb / internal_mb               first retest of a mitigation block (``mb_mitigated``)
fvg                                  first trade into a fair value gap (``fvg_mitigated``)
sweep                                a liquidity sweep of equal highs/lows (``sweep``)
===================================  ===========================================================

**Entry, stop, targets.** ``entry = close[t]``. The invalidation level is the zone's far edge (a long
from a block: its bottom) or, for a sweep, the sweep candle's extreme (a long: its low). The stop is
beyond it by ``sl_atr_buffer x ATR[t]``; ``risk = |entry - stop|``; ``take_profit_1 = entry +/- tp1_rr x
risk`` (1:2), ``take_profit_2 = entry +/- tp2_rr x risk`` (1:3). A setup is dropped if the bar closed
beyond its invalidation level, if the risk is zero or more than ``max_risk_atr x ATR[t]``, if the signal
candle itself traded through the stop (a long whose ``low[t] < stop``, a short whose ``high[t] > stop``:
the trade would be stopped before it exists), and, for ``fvg``, if the signal candle filled the gap
(reached its far edge: ``low[t] <= bottom`` for a long, the gap's death in zones.py), so nothing is left
to trade.

**Confidence** = the setup's weight plus the confluence points below, rounded and clipped to 0..100
(weights in EngineConfig): swing-scope zone; swing trend agrees (or opposes: a penalty); internal trend
agrees; a sweep in the trade's direction within ``confluence_lookback`` bars (for a sweep setup: an
earlier one); a CHoCH of either scope in the trade's direction within that window; another zone of the
same direction retested on the same bar (another price box: the swing and internal copies of one block,
or an order block and a mitigation block on the same candle, are one zone and count once); long in
discount / short in premium of the rolling profile window; long at or below its POC / short at or above
it; a rejection candle (closes in the trade's direction, in the far half of its range); in
``analyze_mtf``, higher-timeframe trend and zones. A signal is ``executable`` when ``confidence >
min_confidence`` (75, strictly). Setups below ``report_confidence`` (50) are not reported at all (0
reports every setup, e.g. to calibrate low buckets).

**One signal per bar**: of the setups on one bar and direction, the highest confidence wins (ties: the
setup order above, then the most recent zone, then the lower zone); up to three others become its
reasons. If a long and a short remain on one bar, the higher confidence wins; on a tie neither is
reported.

**Costs** (costs.py, the backtester's cost model): a setup whose risk is under
``min_stop_cost_multiple`` (3) round-trip costs (``entry x 2 x (taker_fee + slippage)``, market in and
out: 0.12 % of the price by default) is dropped: fees and slippage would eat more than a third of R.
Every signal carries its expected R after costs at each target, ``r_tp1_net`` and ``r_tp2_net`` =
``(reward - cost) / (risk + cost)``: the target's profit net of the round trip, in units of the all-in
loss at the stop (with 1:2 and 1:3 targets and the default filter, at least 1.25 R and 2 R).

``confirmed`` is the bar whose close produced the signal and ``time`` that bar's open time (the index
label): the signal exists from ``time + timeframe`` on, so the earliest fill is the next bar's open.
``reasons`` are rows of the event table, ascending: the triggering event, the zone or pool it belongs
to and what created that (break, pivot), the sweep and the CHoCH that scored, and the other setups of
the same bar.

Everything is evaluated at the close of ``t`` from events confirmed at or before ``t`` and bars
``<= t``: no delay beyond the events', no look-ahead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
from numba import njit

from trading.engine.config import EngineConfig
from trading.engine.costs import cost_rate
from trading.engine.events import (
    BREAKER_MITIGATED,
    CHOCH,
    F_BOTTOM,
    F_TOP,
    FVG_MITIGATED,
    I_BAR,
    I_CONF,
    I_DIR,
    I_KIND,
    I_REF,
    I_SCOPE,
    INTERNAL,
    KINDS,
    MB_MITIGATED,
    OB_MITIGATED,
    SWEEP,
)
from trading.engine.indicators import sliding_extremes
from trading.engine.validation import CandleArrays
from trading.engine.volume_profile import profile_step

if TYPE_CHECKING:
    from trading.engine.signal_table import ContextRows

SETUPS = ("swing_ob", "internal_ob", "swing_breaker", "internal_breaker", "swing_mb", "internal_mb", "fvg", "sweep")
SETUP = {name: code for code, name in enumerate(SETUPS)}
S_FVG = SETUP["fvg"]
S_SWEEP = SETUP["sweep"]
SETUP_DTYPE = pd.CategoricalDtype(list(SETUPS))
DIRECTION_DTYPE = pd.CategoricalDtype(["LONG", "SHORT"])
SIGNAL_COLUMNS = (
    "confirmed",
    "time",
    "direction",
    "setup",
    "entry",
    "stop_loss",
    "take_profit_1",
    "take_profit_2",
    "r_tp1_net",
    "r_tp2_net",
    "confidence",
    "executable",
    "reasons",
)
OTHERS = 3  # same-bar setups kept as reasons of the winner
REASON_WIDTH = 1 + 3 + 2 + OTHERS

_ZONE_TRIGGER = np.zeros(len(KINDS), np.bool_)  # kinds that trigger a zone-retest setup
_ZONE_TRIGGER[[OB_MITIGATED, BREAKER_MITIGATED, MB_MITIGATED, FVG_MITIGATED]] = True

# weights vector layout (see _weights)
(
    W_OB,
    W_BREAKER,
    W_MB,
    W_FVG,
    W_SWEEP,
    W_SWING_SCOPE,
    W_SWING_BIAS,
    W_INTERNAL_BIAS,
    W_COUNTER,
    W_RECENT_SWEEP,
    W_RECENT_CHOCH,
    W_ZONE,
    W_PD,
    W_VP,
    W_REJECTION,
) = range(15)

# (bars, directions, entries) -> (points per candidate, the higher-timeframe rows behind them); see mtf.py
Context = Callable[[np.ndarray, np.ndarray, np.ndarray], "tuple[np.ndarray, ContextRows]"]


class RawSignals(NamedTuple):
    bar: np.ndarray
    direction: np.ndarray  # +1 / -1
    setup: np.ndarray
    entry: np.ndarray
    stop: np.ndarray
    tp1: np.ndarray
    tp2: np.ndarray
    confidence: np.ndarray  # int64 0..100
    reasons: np.ndarray  # (signals, REASON_WIDTH) event rows, ascending, -1 padded
    counts: np.ndarray  # valid reasons per signal
    extra: ContextRows | None  # higher-timeframe rows per signal (analyze_mtf), tuples built with the table


@lru_cache(maxsize=64)
def _weights(config: EngineConfig) -> np.ndarray:
    c = config
    return np.array(
        [
            c.w_ob,
            c.w_breaker,
            c.w_mb,
            c.w_fvg,
            c.w_sweep,
            c.w_swing_scope,
            c.w_swing_bias,
            c.w_internal_bias,
            c.w_counter_trend,
            c.w_recent_sweep,
            c.w_recent_choch,
            c.w_zone_confluence,
            c.w_premium_discount,
            c.w_volume_profile,
            c.w_rejection,
        ],
        np.float64,
    )


@njit(cache=True, nogil=True)
def stop_and_targets(direction, entry, invalidation, atr, buffer_atr, tp1_rr, tp2_rr):
    """(stop, take_profit_1, take_profit_2, risk) of a trade in ``direction`` (+1 long / -1 short).

    The stop sits ``buffer_atr x atr`` beyond the invalidation level; targets at ``tp1_rr`` and
    ``tp2_rr`` times the risk. Works on scalars and on arrays.
    """
    stop = invalidation - direction * buffer_atr * atr
    risk = direction * (entry - stop)
    return stop, entry + direction * tp1_rr * risk, entry + direction * tp2_rr * risk, risk


@njit(cache=True, nogil=True)
def _setup_of(kind, scope):
    internal = 1 if scope == INTERNAL else 0
    if kind == OB_MITIGATED:
        return 0 + internal
    if kind == BREAKER_MITIGATED:
        return 2 + internal
    if kind == MB_MITIGATED:
        return 4 + internal
    if kind == FVG_MITIGATED:
        return S_FVG
    if kind == SWEEP:
        return S_SWEEP
    return -1


# _setup_of as a table (kind, scope) -> setup or -1, one load per event in _candidates' loop (built with the
# Python function: nothing compiled may run before compiled.py has checked the cache)
_SETUP_OF = np.array([[_setup_of.py_func(kind, scope) for scope in range(3)] for kind in range(len(KINDS))], np.int64)


@njit(cache=True, nogil=True)
def _candidates(
    ints,
    floats,
    open_,
    high,
    low,
    close,
    volume,
    atr,
    swing_bias,
    internal_bias,
    w,
    sl_buffer,
    tp1_rr,
    tp2_rr,
    max_risk_atr,
    lookback,
    window,
    bins,
    value_area,
    floor,
    context_max,
    cost_rate,
    min_cost,
):
    m = ints.shape[1]
    kind = ints[I_KIND]
    dirs = ints[I_DIR]
    conf = ints[I_CONF]
    c_row = np.empty(m, np.int64)
    c_setup = np.empty(m, np.int64)
    c_entry = np.empty(m)
    c_stop = np.empty(m)
    c_tp1 = np.empty(m)
    c_tp2 = np.empty(m)
    c_points = np.empty(m)
    c_sweep = np.empty(m, np.int64)
    c_choch = np.empty(m, np.int64)
    hist = np.empty(bins)
    profile_state = np.array([-1.0, 0.0, 0.0, -1.0])
    typical = np.empty(close.shape[0])
    range_high, range_low = sliding_extremes(high, low, window)
    profile_t = -1
    poc = 0.0
    equilibrium = 0.0
    upside = max(w[W_PD], 0.0) + max(w[W_VP], 0.0) + context_max
    # Per side (0 long, 1 short): the latest sweep / CHoCH known at the close of the bar being scored
    # (``*_now``) and of the bar before it (``sweep_before``); the events are sorted by confirmation bar,
    # so one bar's events are consecutive and the state advances one bar at a time.
    sweep_now = np.full(2, -1, np.int64)
    choch_now = np.full(2, -1, np.int64)
    sweep_before = np.full(2, -1, np.int64)
    # distinct price boxes retested on this bar per side (0, 1 or 2 = "two or more") and the first one seen:
    # the swing and internal copies of one block, or an OB and an MB on one candle, are one box
    zone_count = np.zeros(2, np.int64)
    zone_top = np.zeros(2)
    zone_bottom = np.zeros(2)
    c = 0
    first = 0
    while first < m:
        t = conf[first]
        sweep_before[0] = sweep_now[0]
        sweep_before[1] = sweep_now[1]
        zone_count[0] = 0
        zone_count[1] = 0
        end = first
        while end < m and conf[end] == t:
            side = 0 if dirs[end] > 0 else 1
            k = kind[end]
            if k == SWEEP:
                sweep_now[side] = end
            elif k == CHOCH:
                choch_now[side] = end
            elif _ZONE_TRIGGER[k]:
                if zone_count[side] == 0:
                    zone_count[side] = 1
                    zone_top[side] = floats[F_TOP, end]
                    zone_bottom[side] = floats[F_BOTTOM, end]
                elif floats[F_TOP, end] != zone_top[side] or floats[F_BOTTOM, end] != zone_bottom[side]:
                    zone_count[side] = 2
            end += 1
        for e in range(first, end):
            setup = _SETUP_OF[kind[e], ints[I_SCOPE, e]]
            if setup < 0:
                continue
            d = dirs[e]
            side = 0 if d > 0 else 1
            entry = close[t]
            invalidation = floats[F_BOTTOM, e] if d > 0 else floats[F_TOP, e]
            scale = atr[t]
            stop, tp1, tp2, risk = stop_and_targets(d, entry, invalidation, scale, sl_buffer, tp1_rr, tp2_rr)
            if not (risk > 0.0 and risk <= max_risk_atr * scale and d * (entry - invalidation) >= 0.0):
                continue
            if risk < min_cost * cost_rate * entry:
                continue  # the round trip's fees and slippage would eat too much of the risk
            against = low[t] if d > 0 else high[t]  # the signal candle's extreme against the trade
            if d * (against - stop) < 0.0:
                continue  # it traded through the stop already
            if setup == S_FVG and d * (against - invalidation) <= 0.0:
                continue  # it filled the gap it retested: the zone is gone
            if setup < S_FVG:
                points = w[W_OB + setup // 2]
                if setup % 2 == 0:
                    points += w[W_SWING_SCOPE]
            else:
                points = w[W_FVG] if setup == S_FVG else w[W_SWEEP]
            if swing_bias[t] == d:
                points += w[W_SWING_BIAS]
            elif swing_bias[t] == -d:
                points += w[W_COUNTER]
            if internal_bias[t] == d:
                points += w[W_INTERNAL_BIAS]
            # a sweep setup looks for an earlier sweep (known at the previous close); a zone retest may
            # coincide with one
            sweep = sweep_before[side] if setup == S_SWEEP else sweep_now[side]
            if sweep >= 0 and conf[sweep] >= t - lookback:
                points += w[W_RECENT_SWEEP]
            else:
                sweep = -1
            choch = choch_now[side]
            if choch >= 0 and conf[choch] >= t - lookback:
                points += w[W_RECENT_CHOCH]
            else:
                choch = -1
            # a zone setup's own box is among those counted: it needs a second one
            if zone_count[side] >= (1 if setup == S_SWEEP else 2):
                points += w[W_ZONE]
            mid = (high[t] + low[t]) / 2.0
            if d * (entry - open_[t]) > 0.0 and d * (entry - mid) >= 0.0:
                points += w[W_REJECTION]
            if np.rint(points + upside) < floor:
                continue  # cannot be reported whatever the profile says: skip the profile
            if t != profile_t:
                poc, _, _, hi, lo = profile_step(
                    high,
                    low,
                    close,
                    volume,
                    t,
                    window,
                    bins,
                    value_area,
                    hist,
                    profile_state,
                    range_high,
                    range_low,
                    typical,
                )
                equilibrium = (hi + lo) / 2.0
                profile_t = t
            if d * (equilibrium - entry) > 0.0:
                points += w[W_PD]
            if d * (poc - entry) >= 0.0:
                points += w[W_VP]
            c_row[c] = e
            c_setup[c] = setup
            c_entry[c] = entry
            c_stop[c] = stop
            c_tp1[c] = tp1
            c_tp2[c] = tp2
            c_points[c] = points
            c_sweep[c] = sweep
            c_choch[c] = choch
            c += 1
        first = end
    return (
        c_row[:c],
        c_setup[:c],
        c_entry[:c],
        c_stop[:c],
        c_tp1[:c],
        c_tp2[:c],
        c_points[:c],
        c_sweep[:c],
        c_choch[:c],
    )


@njit(cache=True, nogil=True)
def _before(a, b, confidence, setup, zbar, top, bottom):
    """True if candidate a ranks before b: higher confidence, setup order, newer zone, lower top/bottom."""
    if confidence[a] != confidence[b]:
        return confidence[a] > confidence[b]
    if setup[a] != setup[b]:
        return setup[a] < setup[b]
    if zbar[a] != zbar[b]:
        return zbar[a] > zbar[b]
    if top[a] != top[b]:
        return top[a] < top[b]
    return bottom[a] < bottom[b]


@njit(cache=True, nogil=True)
def _pick(ints, floats, c_row, c_setup, c_points, c_sweep, c_choch, floor):
    """Winners (candidate indices), their confidence, reasons (rows, sorted, -1 padded) and reason counts."""
    c = c_row.shape[0]
    conf_bar = ints[I_CONF]
    ref = ints[I_REF]
    confidence = np.empty(c, np.int64)
    for k in range(c):
        confidence[k] = min(max(np.rint(c_points[k]), 0.0), 100.0)
    zbar = np.empty(c, np.int64)
    top = np.empty(c)
    bottom = np.empty(c)
    for k in range(c):
        zbar[k] = ints[I_BAR, c_row[k]]
        top[k] = floats[F_TOP, c_row[k]]
        bottom[k] = floats[F_BOTTOM, c_row[k]]
    winners = np.empty(c, np.int64)
    reasons = np.full((c, REASON_WIDTH), -1, np.int64)
    counts = np.zeros(c, np.int64)
    w = 0
    members = np.empty(c, np.int64)
    best = np.full(2, -1, np.int64)
    start = 0
    while start < c:
        t = conf_bar[c_row[start]]
        stop = start
        while stop < c and conf_bar[c_row[stop]] == t:
            stop += 1
        for side in range(2):
            # members of this bar and side, insertion-sorted by rank
            size = 0
            for k in range(start, stop):
                if (ints[I_DIR, c_row[k]] > 0) != (side == 0):
                    continue
                pos = size
                while pos > 0 and _before(k, members[pos - 1], confidence, c_setup, zbar, top, bottom):
                    members[pos] = members[pos - 1]
                    pos -= 1
                members[pos] = k
                size += 1
            best[side] = -1
            if size == 0 or confidence[members[0]] < floor:
                continue
            k = members[0]
            best[side] = k
            row = reasons[w]
            row[0] = c_row[k]
            row[1] = ref[row[0]]
            row[2] = ref[row[1]] if row[1] >= 0 else -1
            row[3] = ref[row[2]] if row[2] >= 0 else -1
            row[4] = c_sweep[k]
            row[5] = c_choch[k]
            for o in range(1, OTHERS + 1):
                if o < size:
                    row[5 + o] = c_row[members[o]]
            for j in range(1, REASON_WIDTH):  # insertion sort: tiny rows
                x = row[j]
                q = j
                while q > 0 and row[q - 1] > x:
                    row[q] = row[q - 1]
                    q -= 1
                row[q] = x
            count = 0
            for j in range(REASON_WIDTH):
                if row[j] >= 0 and (count == 0 or row[j] != row[count - 1]):
                    row[count] = row[j]
                    count += 1
            for j in range(count, REASON_WIDTH):
                row[j] = -1
            counts[w] = count
            winners[w] = k
            w += 1
        if best[0] >= 0 and best[1] >= 0:
            # a long and a short on one bar: the stronger stays, a tie drops both (they were written
            # short-last, so the short is at w-1 and the long at w-2)
            if confidence[best[0]] > confidence[best[1]]:
                w -= 1
            elif confidence[best[1]] > confidence[best[0]]:
                winners[w - 2] = winners[w - 1]
                for j in range(REASON_WIDTH):  # a loop: row assignment makes numba compile error formatting
                    reasons[w - 2, j] = reasons[w - 1, j]
                counts[w - 2] = counts[w - 1]
                w -= 1
            else:
                w -= 2
            for r in range(w, min(w + 2, c)):  # free the rows just given up (no bounds checks in numba)
                for j in range(REASON_WIDTH):
                    reasons[r, j] = -1
        start = stop
    return winners[:w], confidence, reasons[:w], counts[:w]


@njit(cache=True, nogil=True)
def _pick_signals(ints, floats, row, setup, entry, stop, tp1, tp2, points, sweep, choch, floor):
    """``_pick`` and the winners' columns taken in the same compiled call (a dozen numpy takes otherwise)."""
    win, confidence, reasons, counts = _pick(ints, floats, row, setup, points, sweep, choch, floor)
    w = win.shape[0]
    bar = np.empty(w, np.int64)
    direction = np.empty(w, np.int64)
    for k in range(w):
        bar[k] = ints[I_CONF, row[win[k]]]
        direction[k] = ints[I_DIR, row[win[k]]]
    return (
        bar,
        direction,
        setup[win],
        entry[win],
        stop[win],
        tp1[win],
        tp2[win],
        confidence[win],
        reasons,
        counts,
        win,
    )


_ARGS: dict[int, tuple] = {}  # id(config) -> (config, its scalar arguments): hashing a config costs ~10 us


def _scoring_args(config: EngineConfig) -> tuple:
    hit = _ARGS.get(id(config))
    if hit is not None and hit[0] is config:
        return hit[1]
    c = config
    args = (
        _weights(c),
        float(c.sl_atr_buffer),
        float(c.tp1_rr),
        float(c.tp2_rr),
        float(c.max_risk_atr),
        int(c.confluence_lookback),
        int(c.profile_window),
        int(c.profile_bins),
        float(c.value_area),
        float(c.report_confidence),
    )
    tail = (cost_rate(c.taker_fee, c.slippage_bps), float(c.min_stop_cost_multiple), int(c.report_confidence))
    if len(_ARGS) >= 64:
        _ARGS.clear()
    _ARGS[id(config)] = (config, (args, tail))
    return args, tail


def score_signals(
    ints: np.ndarray,
    floats: np.ndarray,
    candles: CandleArrays,
    atr: np.ndarray,
    swing_bias: np.ndarray,
    internal_bias: np.ndarray,
    config: EngineConfig,
    context: Context | None = None,
    context_max: float = 0.0,
) -> RawSignals:
    """Signals from the sorted events (see the module docstring); reasons are event-table rows."""
    args, (rate, min_cost, floor) = _scoring_args(config)
    row, setup, entry, stop, tp1, tp2, points, sweep, choch = _candidates(
        ints,
        floats,
        candles.open,
        candles.high,
        candles.low,
        candles.close,
        candles.volume,
        atr,
        swing_bias,
        internal_bias,
        *args,
        float(context_max),
        rate,
        min_cost,
    )
    extra = None
    if context is not None:
        extra_points, extra = context(ints[I_CONF][row], ints[I_DIR][row], entry)
        points = np.asarray(points + extra_points, np.float64)
    *columns, win = _pick_signals(ints, floats, row, setup, entry, stop, tp1, tp2, points, sweep, choch, floor)
    return RawSignals(*columns, extra.take(win) if extra is not None else None)
