"""All detectors in one compiled pass: candles in, raw events out.

This module adds no rule of its own: it calls the compiled cores of pivots.py, structure.py,
order_blocks.py, zones.py, fvg.py and liquidity.py in order and writes what they find into one pair
of event arrays (see events.py for the layout). The emitters are compiled because a scan runs the
engine thousands of times on short series, where Python-level glue per detector output would cost
more than the detectors themselves. ``detect_sorted`` runs them all and the sort in one compiled call:
per series, a call from Python costs a few microseconds of argument dispatch and boxing, and a scan
makes 2,000 of them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading.engine.events import (
    BOS,
    BREAKER,
    BREAKER_INVALIDATED,
    BREAKER_MITIGATED,
    CHOCH,
    EQUAL_HIGHS,
    EQUAL_LOWS,
    FVG,
    FVG_FILLED,
    FVG_MITIGATED,
    INTERNAL,
    MB,
    MB_INVALIDATED,
    MB_MITIGATED,
    NO_SCOPE,
    OB,
    OB_MITIGATED,
    PIVOT_HIGH,
    PIVOT_LOW,
    RUN,
    SWEEP,
    SWING,
    _sort_small,
    sort_key,
)
from trading.engine.fvg import _gaps
from trading.engine.indicators import true_range_at
from trading.engine.liquidity import _pair_pivots, _pool_outcomes
from trading.engine.order_blocks import _failure_swings, _order_block_candles
from trading.engine.pivots import _pivot_bars
from trading.engine.structure import _breaks
from trading.engine.zones import _BLOCK, _SHIFT, track_zones

_N_INT = 6
_N_FLOAT = 4
_NONE = np.int64(-1)  # "no ref"; numba compiles a callee again for every literal constant it is passed


@njit(cache=True, nogil=True)
def _reserve(ints, floats, used, extra):
    if used + extra <= ints.shape[1]:
        return ints, floats
    cap = max(2 * ints.shape[1], used + extra)
    grown_i = np.empty((_N_INT, cap), np.int64)
    grown_f = np.empty((_N_FLOAT, cap))
    for j in range(_N_INT):  # plain loops: slice assignment makes numba compile shape-error formatting
        for r in range(used):
            grown_i[j, r] = ints[j, r]
    for j in range(_N_FLOAT):
        for r in range(used):
            grown_f[j, r] = floats[j, r]
    return grown_i, grown_f


@njit(cache=True, nogil=True)
def _put(ints, floats, p, kind, scope, direction, bar, conf, ref, top, bottom, level, value):
    ints[0, p] = kind
    ints[1, p] = scope
    ints[2, p] = direction
    ints[3, p] = bar
    ints[4, p] = conf
    ints[5, p] = ref
    floats[0, p] = top
    floats[1, p] = bottom
    floats[2, p] = level
    floats[3, p] = value


@njit(cache=True, nogil=True)
def _emit_zones(ints, floats, p, spec, zbar, zconf, zdir, ztop, zbottom, zref, zvalue, high, low, close, max_age, ext):
    """A zone kind's creation and life events. ``spec`` = [kind, its mitigation kind, its end kind, scope,
    wick kill (0/1), flip (0/1)]: one int64 array rather than constants, so numba compiles this once."""
    kind = spec[0]
    kind_mitigated = spec[1]
    kind_end = spec[2]
    scope = spec[3]
    wick_kill = spec[4] == 1
    flip = spec[5] == 1
    z = zbar.shape[0]
    mit, depth, dead, mit2, depth2, dead2 = track_zones(
        zdir, ztop, zbottom, zconf, high, low, close, max_age, wick_kill, flip, ext
    )
    count = z  # exactly the rows written below: a bound like 5 z would outgrow the buffer on most series
    for k in range(z):
        count += (mit[k] >= 0) + (dead[k] >= 0) + (mit2[k] >= 0) + (dead2[k] >= 0)
    ints, floats = _reserve(ints, floats, p, count)
    first = p
    for k in range(z):
        mid = (ztop[k] + zbottom[k]) / 2.0
        _put(ints, floats, p, kind, scope, zdir[k], zbar[k], zconf[k], zref[k], ztop[k], zbottom[k], mid, zvalue[k])
        p += 1
    for k in range(z):
        if mit[k] >= 0:
            mid = (ztop[k] + zbottom[k]) / 2.0
            _put(
                ints,
                floats,
                p,
                kind_mitigated,
                scope,
                zdir[k],
                zbar[k],
                mit[k],
                first + k,
                ztop[k],
                zbottom[k],
                mid,
                depth[k],
            )
            p += 1
    end_value = 100.0 if kind == FVG else np.nan
    end_row = p
    for k in range(z):
        if dead[k] >= 0:
            mid = (ztop[k] + zbottom[k]) / 2.0
            direction = -zdir[k] if flip else zdir[k]
            _put(
                ints,
                floats,
                p,
                kind_end,
                scope,
                direction,
                zbar[k],
                dead[k],
                first + k,
                ztop[k],
                zbottom[k],
                mid,
                end_value,
            )
            p += 1
    if flip:
        for k in range(z):
            if dead[k] < 0:
                continue  # no breaker (mit2 and dead2 are -1)
            mid = (ztop[k] + zbottom[k]) / 2.0
            if mit2[k] >= 0:
                _put(
                    ints,
                    floats,
                    p,
                    np.int64(BREAKER_MITIGATED),
                    scope,
                    -zdir[k],
                    zbar[k],
                    mit2[k],
                    end_row,
                    ztop[k],
                    zbottom[k],
                    mid,
                    depth2[k],
                )
                p += 1
            if dead2[k] >= 0:
                _put(
                    ints,
                    floats,
                    p,
                    np.int64(BREAKER_INVALIDATED),
                    scope,
                    -zdir[k],
                    zbar[k],
                    dead2[k],
                    end_row,
                    ztop[k],
                    zbottom[k],
                    mid,
                    np.nan,
                )
                p += 1
            end_row += 1  # the end rows were written in zone order: this zone's breaker is the next one
    return ints, floats, p


# _emit_zones specs: order blocks (swing, internal), mitigation blocks (swing, internal), gaps. A global array is
# a constant of the compiled code: no allocation per call.
_SPECS = np.array(
    [
        [OB, OB_MITIGATED, BREAKER, SWING, 0, 1],
        [OB, OB_MITIGATED, BREAKER, INTERNAL, 0, 1],
        [MB, MB_MITIGATED, MB_INVALIDATED, SWING, 0, 0],
        [MB, MB_MITIGATED, MB_INVALIDATED, INTERNAL, 0, 0],
        [FVG, FVG_MITIGATED, FVG_FILLED, NO_SCOPE, 1, 0],
    ],
    np.int64,
)


@njit(cache=True, nogil=True)
def _gather_zones(zi, zf, bar, keep, b_conf, b_dir, break0, high, low):
    """Into the first columns of ``zi`` / ``zf``, the zones of the breaks ``k`` with ``keep[k]``: block candle
    ``bar[k]``, the break's bar and direction, ref ``break0 + k`` (its raw id), the candle's high and low, no
    value; returns how many."""
    z = 0
    for k in range(bar.shape[0]):
        if keep[k]:
            j = bar[k]
            zi[0, z] = j
            zi[1, z] = b_conf[k]
            zi[2, z] = b_dir[k]
            zi[3, z] = break0 + k
            zf[0, z] = high[j]
            zf[1, z] = low[j]
            zf[2, z] = np.nan
            z += 1
    return z


@njit(cache=True, nogil=True)
def _emit_scope(ints, floats, p, high, low, close, atr, size, scope, ob_max_atr, max_age, ext):
    """Pivots, breaks, order blocks (+ breakers) and mitigation blocks of one structure scope."""
    p_bar, p_side = _pivot_bars(high, low, size)
    m = p_bar.shape[0]
    p_conf = p_bar + size
    p_level = np.empty(m)
    for k in range(m):
        p_level[k] = high[p_bar[k]] if p_side[k] > 0 else low[p_bar[k]]
    ints, floats = _reserve(ints, floats, p, m)
    pivot0 = p
    for k in range(m):
        kind = np.int64(PIVOT_HIGH if p_side[k] > 0 else PIVOT_LOW)
        _put(
            ints,
            floats,
            p,
            kind,
            scope,
            p_side[k],
            p_bar[k],
            p_conf[k],
            _NONE,
            p_level[k],
            p_level[k],
            p_level[k],
            np.nan,
        )
        p += 1

    b_pivot, b_conf, b_dir, b_choch, b_prior, bias = _breaks(close, p_conf, p_side, p_level)
    nb = b_pivot.shape[0]
    b_bar = np.empty(nb, np.int64)
    ints, floats = _reserve(ints, floats, p, nb)
    break0 = p
    for k in range(nb):
        b_bar[k] = p_bar[b_pivot[k]]
        lvl = p_level[b_pivot[k]]
        _put(
            ints,
            floats,
            p,
            np.int64(CHOCH if b_choch[k] else BOS),
            scope,
            b_dir[k],
            b_bar[k],
            b_conf[k],
            pivot0 + b_pivot[k],
            lvl,
            lvl,
            lvl,
            np.nan,
        )
        p += 1

    # the zones of the breaks that have one, gathered into two scratch arrays (rows: bar, confirmed, direction,
    # ref / top, bottom, value) shared by the order and the mitigation blocks: a few allocations per scope
    # instead of one per column
    zi = np.empty((4, nb), np.int64)
    zf = np.empty((3, nb))
    candle = _order_block_candles(high, low, atr, b_bar, b_conf, b_dir, ob_max_atr)
    z = _gather_zones(zi, zf, candle, candle >= 0, b_conf, b_dir, break0, high, low)
    ints, floats, p = _emit_zones(
        ints,
        floats,
        p,
        _SPECS[scope],
        zi[0][:z],
        zi[1][:z],
        zi[2][:z],
        zf[0][:z],
        zf[1][:z],
        zi[3][:z],
        zf[2][:z],
        high,
        low,
        close,
        max_age,
        ext,
    )

    failed = _failure_swings(high, low, b_bar, b_conf, b_dir, b_choch, b_prior)
    z = _gather_zones(zi, zf, b_bar, failed, b_conf, b_dir, break0, high, low)
    ints, floats, p = _emit_zones(
        ints,
        floats,
        p,
        _SPECS[2 + scope],
        zi[0][:z],
        zi[1][:z],
        zi[2][:z],
        zf[0][:z],
        zf[1][:z],
        zi[3][:z],
        zf[2][:z],
        high,
        low,
        close,
        max_age,
        ext,
    )
    return ints, floats, p, bias, p_bar, p_conf, p_side, p_level, pivot0


@njit(cache=True, nogil=True)
def _emit_gaps(ints, floats, p, open_, high, low, close, atr, fvg_min_atr, fvg_min_body, max_age, ext):
    """Fair value gaps and their life, rows from ``p``."""
    g_bar, g_conf, g_dir, g_top, g_bottom, g_size = _gaps(open_, high, low, close, atr, fvg_min_atr, fvg_min_body)
    return _emit_zones(
        ints,
        floats,
        p,
        _SPECS[4],
        g_bar,
        g_conf,
        g_dir,
        g_top,
        g_bottom,
        np.full(g_bar.shape[0], -1, np.int64),
        g_size,
        high,
        low,
        close,
        max_age,
        ext,
    )


@njit(cache=True, nogil=True)
def _emit_pools(
    ints, floats, p, high, low, close, atr, p_bar, p_conf, p_side, p_level, pivot0, pool_atr, pool_lookback, max_age
):
    """Equal highs/lows of the internal pivots (raw ids from ``pivot0``) and their sweeps/runs, rows from ``p``."""
    first, second = _pair_pivots(high, low, atr, p_bar, p_conf, p_side, p_level, pool_atr, pool_lookback)
    q = first.shape[0]
    side = p_side[second]
    level = np.empty(q)
    for k in range(q):
        a = p_level[first[k]]
        b = p_level[second[k]]
        level[k] = max(a, b) if side[k] > 0 else min(a, b)
    conf = p_conf[second]
    hit, swept, excess = _pool_outcomes(side, level, conf, high, low, close, atr, max_age)
    count = q
    for k in range(q):
        count += hit[k] >= 0
    ints, floats = _reserve(ints, floats, p, count)
    pool0 = p
    used = p
    for k in range(q):
        a = p_level[first[k]]
        b = p_level[second[k]]
        spread = abs(a - b) / atr[conf[k]] if atr[conf[k]] > 0.0 else np.nan
        _put(
            ints,
            floats,
            used,
            np.int64(EQUAL_HIGHS if side[k] > 0 else EQUAL_LOWS),
            np.int64(INTERNAL),
            side[k],
            p_bar[first[k]],
            conf[k],
            pivot0 + second[k],
            max(a, b),
            min(a, b),
            level[k],
            spread,
        )
        used += 1
    for k in range(q):
        t = hit[k]
        if t >= 0:
            kind = np.int64(SWEEP if swept[k] else RUN)
            direction = -side[k] if swept[k] else side[k]
            _put(
                ints,
                floats,
                used,
                kind,
                np.int64(INTERNAL),
                direction,
                t,
                t,
                pool0 + k,
                high[t],
                low[t],
                level[k],
                excess[k],
            )
            used += 1
    return ints, floats, used


@njit(cache=True, nogil=True)
def _atr_and_blocks(high, low, close, period):
    """(indicators.wilder_atr, zones.block_extremes) in one loop over the bars, each value by the same operations
    in the same order as there (the same bits). ATR's recursion waits some 20 cycles per bar on its
    multiply-add-divide chain; the block extremes are independent of it and fill those cycles for free."""
    n = high.shape[0]
    atr = np.empty(n)
    ext = np.empty((4, (n + _BLOCK - 1) >> _SHIFT))
    total = 0.0
    lo = hi = clo = chi = 0.0
    for i in range(n):
        r = true_range_at(high, low, close, i)
        if i < period:
            total += r
            atr[i] = total / (i + 1)
        else:
            atr[i] = (atr[i - 1] * (period - 1) + r) / period
        if (i & (_BLOCK - 1)) == 0:
            lo = low[i]
            hi = high[i]
            clo = close[i]
            chi = close[i]
        else:
            lo = min(lo, low[i])
            hi = max(hi, high[i])
            clo = min(clo, close[i])
            chi = max(chi, close[i])
        if (i & (_BLOCK - 1)) == _BLOCK - 1 or i == n - 1:
            b = i >> _SHIFT
            ext[0, b] = lo
            ext[1, b] = hi
            ext[2, b] = clo
            ext[3, b] = chi
    return atr, ext


@njit(cache=True, nogil=True)
def detect_events(
    open_,
    high,
    low,
    close,
    atr_period,
    swing_size,
    internal_size,
    ob_max_atr,
    max_age,
    fvg_min_atr,
    fvg_min_body,
    pool_atr,
    pool_lookback,
):
    """(ints, floats, atr, swing bias, internal bias): every detector's events, unsorted, refs as raw ids.

    Raw ids run swing scope, internal scope, gaps, pools; every emitter appends to one buffer, so a
    scan pays one compiled call per series instead of one per detector plus the joins."""
    atr, ext = _atr_and_blocks(high, low, close, atr_period)
    ints = np.empty((_N_INT, max(64, close.shape[0])), np.int64)
    floats = np.empty((_N_FLOAT, ints.shape[1]))
    ints, floats, p, swing_bias, _, _, _, _, _ = _emit_scope(
        ints, floats, np.int64(0), high, low, close, atr, swing_size, np.int64(SWING), ob_max_atr, max_age, ext
    )
    ints, floats, p, internal_bias, p_bar, p_conf, p_side, p_level, pivot0 = _emit_scope(
        ints, floats, p, high, low, close, atr, internal_size, np.int64(INTERNAL), ob_max_atr, max_age, ext
    )
    ints, floats, p = _emit_gaps(ints, floats, p, open_, high, low, close, atr, fvg_min_atr, fvg_min_body, max_age, ext)
    ints, floats, p = _emit_pools(
        ints, floats, p, high, low, close, atr, p_bar, p_conf, p_side, p_level, pivot0, pool_atr, pool_lookback, max_age
    )
    return ints[:, :p], floats[:, :p], atr, swing_bias, internal_bias


@njit(cache=True, nogil=True)
def detect_sorted(
    open_,
    high,
    low,
    close,
    atr_period,
    swing_size,
    internal_size,
    ob_max_atr,
    max_age,
    fvg_min_atr,
    fvg_min_body,
    pool_atr,
    pool_lookback,
):
    """``detect_events`` with the events in table order (events.sort_events, compiled path), in one call."""
    ints, floats, atr, swing_bias, internal_bias = detect_events(
        open_,
        high,
        low,
        close,
        atr_period,
        swing_size,
        internal_size,
        ob_max_atr,
        max_age,
        fvg_min_atr,
        fvg_min_body,
        pool_atr,
        pool_lookback,
    )
    ints, floats = _sort_small(ints, floats, sort_key(ints))
    return ints, floats, atr, swing_bias, internal_bias
