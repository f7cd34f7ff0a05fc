"""Liquidity pools (equal highs / equal lows) and what price does to them: sweep or run.

Pools, from the internal pivots (pivots.py), at the confirmation bar ``c`` of every pivot high ``B``:
compare ``B`` with the earlier pivot highs, newest first, at most ``pool_lookback`` of them; the first
``A`` that is not already part of a pool, lies within ``pool_atr x ATR[c]`` of ``B``, and has no bar
strictly between ``A`` and ``B`` trading above ``max(A, B)`` forms a pool of **equal highs**: ``top``
and ``bottom`` the two levels, ``level = top`` (the stops sit above it), anchored on ``A``'s bar, known
at ``c`` (confirmation delay: the later pivot's own ``size`` bars). A pivot joins at most one pool.
Equal lows mirror this with ``level = bottom``.

Sweep or run, tracked from ``c + 1`` for at most ``zone_max_age`` bars: the first bar ``t`` whose wick
trades through the level (``high[t] > level`` for equal highs) either closes back inside
(``close[t] <= level``): a **sweep** / liquidity grab, bearish for equal highs; or closes beyond it: a
**run** on the liquidity, bullish for equal highs. Either way the pool is used up. Known at the close
of ``t``; ``value`` is how far the wick went past the level, in ATR.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from trading.engine.pivots import Pivots
from trading.engine.validation import f64, i64


class Pools(NamedTuple):
    first: np.ndarray  # int64, index of the earlier pivot (in Pivots)
    second: np.ndarray  # int64, index of the later pivot
    bar: np.ndarray  # int64, bar of the earlier pivot
    confirmed: np.ndarray  # int64, confirmation bar of the later pivot
    side: np.ndarray  # int64, +1 equal highs / -1 equal lows
    top: np.ndarray
    bottom: np.ndarray
    level: np.ndarray
    spread_atr: np.ndarray  # |A - B| / ATR


class PoolOutcomes(NamedTuple):
    bar: np.ndarray  # int64 per pool: the sweep/run bar, -1 if untouched so far
    swept: np.ndarray  # bool: closed back inside (sweep) rather than beyond (run)
    excess_atr: np.ndarray  # how far the wick went through the level, in ATR


@njit(cache=True, nogil=True)
def _pair_pivots(high, low, atr, p_bar, p_conf, p_side, p_level, tol_atr, lookback):
    m = p_bar.shape[0]
    pooled = np.zeros(m, np.bool_)
    first = np.empty(m, np.int64)
    second = np.empty(m, np.int64)
    c = 0
    for k in range(m):
        side = p_side[k]
        tol = tol_atr * atr[p_conf[k]]
        seen = 0
        for q in range(k - 1, -1, -1):
            if p_side[q] != side:
                continue
            seen += 1
            if seen > lookback:
                break
            if pooled[q] or abs(p_level[k] - p_level[q]) > tol:
                continue
            clean = True
            if side > 0:
                extreme = max(p_level[k], p_level[q])
                for b in range(p_bar[q] + 1, p_bar[k]):
                    if high[b] > extreme:
                        clean = False
                        break
            else:
                extreme = min(p_level[k], p_level[q])
                for b in range(p_bar[q] + 1, p_bar[k]):
                    if low[b] < extreme:
                        clean = False
                        break
            if clean:
                pooled[q] = True
                pooled[k] = True
                first[c] = q
                second[c] = k
                c += 1
                break
    return first[:c], second[:c]


@njit(cache=True, nogil=True)
def _pool_outcomes(side, level, confirmed, high, low, close, atr, max_age):
    z = side.shape[0]
    n = high.shape[0]
    bar = np.full(z, -1, np.int64)
    swept = np.zeros(z, np.bool_)
    excess = np.full(z, np.nan)
    for k in range(z):
        last = min(n - 1, confirmed[k] + max_age)
        for t in range(confirmed[k] + 1, last + 1):
            if side[k] > 0 and high[t] > level[k]:
                bar[k] = t
                swept[k] = close[t] <= level[k]
                excess[k] = (high[t] - level[k]) / atr[t] if atr[t] > 0 else np.nan
                break
            if side[k] < 0 and low[t] < level[k]:
                bar[k] = t
                swept[k] = close[t] >= level[k]
                excess[k] = (level[k] - low[t]) / atr[t] if atr[t] > 0 else np.nan
                break
    return bar, swept, excess


def liquidity_pools(high, low, atr, pivots: Pivots, *, tol_atr: float, lookback: int) -> Pools:
    """Equal highs / lows among ``pivots`` (ordered by the later pivot's confirmation)."""
    high, low, atr = f64(high), f64(low), f64(atr)
    first, second = _pair_pivots(
        high,
        low,
        atr,
        i64(pivots.bar),
        i64(pivots.confirmed),
        i64(pivots.side),
        f64(pivots.level),
        float(tol_atr),
        int(lookback),
    )
    a = pivots.level[first]
    b = pivots.level[second]
    side = pivots.side[second]
    top = np.maximum(a, b)
    bottom = np.minimum(a, b)
    conf = pivots.confirmed[second]
    scale = atr[conf]
    spread = np.divide(top - bottom, scale, out=np.full(conf.size, np.nan), where=scale > 0)
    return Pools(first, second, pivots.bar[first], conf, side, top, bottom, np.where(side > 0, top, bottom), spread)


def pool_outcomes(pools: Pools, high, low, close, atr, *, max_age: int) -> PoolOutcomes:
    """The first sweep or run of every pool (see the module docstring)."""
    return PoolOutcomes(
        *_pool_outcomes(
            i64(pools.side),
            f64(pools.level),
            i64(pools.confirmed),
            f64(high),
            f64(low),
            f64(close),
            f64(atr),
            int(max_age),
        )
    )
