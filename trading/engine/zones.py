"""Life of a price zone after it is known: first retest (mitigation), death, and optional flip.

Every zone (order block, mitigation block, fair value gap) is tracked on its own, forward from the bar
after its confirmation ``c``, for at most ``max_age`` bars (``c + 1 .. c + max_age``); nothing is
decided about a bar before that bar has closed. For a **bullish** zone (price above it, expected to come
back down into it and hold):

* **mitigated** at the first bar ``t`` with ``low[t] <= top``; the depth reached is
  ``(top - low[t]) / (top - bottom)`` in percent, clipped to 0..100;
* **dead** at the first bar with ``close[t] < bottom`` (``kill="close"``, blocks) or with
  ``low[t] <= bottom`` (``kill="wick"``, gaps: completely filled). Mitigation and death may fall on the
  same bar; both are reported.

A bearish zone is the mirror image (``high >= bottom``, ``close > top`` / ``high >= top``). With
``flip`` a dead zone is reborn with the opposite direction from the next bar (an order block becomes a
breaker block) and tracked the same way (death by close), for another ``max_age`` bars at most.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from trading.engine.validation import f64, i64


class ZoneLife(NamedTuple):
    """Per zone: bar of each state change (-1 = not (yet) happened) and depth at the mitigation."""

    mitigated: np.ndarray
    depth: np.ndarray
    dead: np.ndarray
    flip_mitigated: np.ndarray
    flip_depth: np.ndarray
    flip_dead: np.ndarray


@njit(cache=True, nogil=True)
def _depth(direction, top, bottom, high, low):
    height = top - bottom
    if height <= 0.0:
        return 100.0
    d = (top - low) / height if direction > 0 else (high - bottom) / height
    if d < 0.0:
        return 0.0
    if d > 1.0:
        return 100.0
    return d * 100.0


_SHIFT = 4
_BLOCK = 1 << _SHIFT  # bars per block of precomputed extremes


@njit(cache=True, nogil=True)
def block_extremes(high, low, close):
    """Per block of ``_BLOCK`` bars: rows lowest low, highest high, lowest close, highest close (the
    last block may be partial). A zone's scan skips a whole block when these show nothing can happen in it."""
    n = high.shape[0]
    nb = (n + _BLOCK - 1) >> _SHIFT
    out = np.empty((4, nb))
    for b in range(nb):
        s = b << _SHIFT
        lo = low[s]
        hi = high[s]
        clo = close[s]
        chi = close[s]
        for t in range(s + 1, min(s + _BLOCK, n)):
            lo = min(lo, low[t])
            hi = max(hi, high[t])
            clo = min(clo, close[t])
            chi = max(chi, close[t])
        out[0, b] = lo
        out[1, b] = hi
        out[2, b] = clo
        out[3, b] = chi
    return out


@njit(cache=True, nogil=True)
def _scan(direction, top, bottom, first, last, high, low, close, wick_kill, ext):
    """(mitigated bar, depth, dead bar) of one zone over bars first..last, bar by bar, except that whole
    blocks in which ``ext`` (block_extremes) shows no retest (while unmitigated) and no death are
    skipped: the same answer as checking every bar, in O(bars / block + block) per zone."""
    mit = -1
    depth = np.nan
    t = first
    while t <= last:
        if (t & (_BLOCK - 1)) == 0 and t + _BLOCK - 1 <= last:
            b = t >> _SHIFT
            if direction > 0:
                quiet = (mit >= 0 or ext[0, b] > top) and ((ext[0, b] > bottom) if wick_kill else (ext[2, b] >= bottom))
            else:
                quiet = (mit >= 0 or ext[1, b] < bottom) and ((ext[1, b] < top) if wick_kill else (ext[3, b] <= top))
            if quiet:
                t += _BLOCK
                continue
        if direction > 0:
            if mit < 0 and low[t] <= top:
                mit = t
                depth = _depth(direction, top, bottom, high[t], low[t])
            if (low[t] <= bottom) if wick_kill else (close[t] < bottom):
                return mit, depth, t
        else:
            if mit < 0 and high[t] >= bottom:
                mit = t
                depth = _depth(direction, top, bottom, high[t], low[t])
            if (high[t] >= top) if wick_kill else (close[t] > top):
                return mit, depth, t
        t += 1
    return mit, depth, -1


@njit(cache=True, nogil=True)
def track_zones(direction, top, bottom, confirmed, high, low, close, max_age, wick_kill, flip, ext):
    """``ext``: block_extremes(high, low, close), computed once per series by the caller."""
    z = direction.shape[0]
    n = high.shape[0]
    # rows of two arrays (two allocations rather than six: the engine tracks a few hundred zones per series
    # in five calls, where allocating costs as much as tracking)
    bars = np.full((4, z), -1, np.int64)
    depths = np.full((2, z), np.nan)
    mit = bars[0]
    dead = bars[1]
    mit2 = bars[2]
    dead2 = bars[3]
    depth = depths[0]
    depth2 = depths[1]
    for k in range(z):
        last = min(n - 1, confirmed[k] + max_age)
        m, d, x = _scan(direction[k], top[k], bottom[k], confirmed[k] + 1, last, high, low, close, wick_kill, ext)
        mit[k] = m
        depth[k] = d
        dead[k] = x
        if flip and x >= 0:
            last2 = min(n - 1, x + max_age)
            m2, d2, x2 = _scan(-direction[k], top[k], bottom[k], x + 1, last2, high, low, close, np.bool_(False), ext)
            mit2[k] = m2
            depth2[k] = d2
            dead2[k] = x2
    return mit, depth, dead, mit2, depth2, dead2


def zone_life(
    direction, top, bottom, confirmed, high, low, close, *, max_age: int, kill: str = "close", flip: bool = False
) -> ZoneLife:
    """Track zones (arrays of equal length) over the candles; see the module docstring."""
    if kill not in ("close", "wick"):
        raise ValueError(f"kill must be 'close' or 'wick', got {kill!r}")
    high, low, close = f64(high), f64(low), f64(close)
    return ZoneLife(
        *track_zones(
            i64(direction),
            f64(top),
            f64(bottom),
            i64(confirmed),
            high,
            low,
            close,
            int(max_age),
            kill == "wick",
            bool(flip),
            block_extremes(high, low, close),
        )
    )
