"""Order blocks, breaker blocks and mitigation blocks, chosen at each structure break.

Order block (one per BOS/CHoCH, see structure.py). For a bullish break at bar ``i`` of the pivot high at
bar ``p``: among the candles ``p .. i-1`` (from the broken pivot up to, not including, the breaking
candle) whose range ``high - low`` is at most ``ob_max_candle_atr x ATR`` of their own bar, the one with
the lowest low (ties: the latest). The block is that candle's ``[low, high]``; its ``level`` is the
midpoint (mean threshold). Bearish: the highest high, mirrored. No eligible candle: no block.
Abnormally large candles are excluded because a 5-ATR news candle makes a block no one can trade.

Mitigation block (failure swing, only at a CHoCH). A bearish CHoCH breaking the pivot low at ``p``
whose rally failed: ``max(high[p+1 .. i]) <`` the pivot high that preceded that low (price never took
the previous high before breaking down). The block is the candle at ``p`` (the origin of the failed
rally), bearish. Mirrored for a bullish CHoCH whose decline from the broken high never took the
previous low.

Life (zones.py): from the bar after the break, a block is **mitigated** at its first retest and
**invalidated** by a close beyond its far edge. An invalidated order block becomes a **breaker block**
of the opposite direction at that bar (an invalidated bullish block is resistance from then on), which
is in turn mitigated and invalidated by a close through it. A mitigation block dies when invalidated.

Confirmation delay: a block is known at the close of its breaking bar ``i`` (its candle lies before
``i``); each state change is known at the close of the bar it happens on. Only bars ``<= i`` are read.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from trading.engine.structure import Structure
from trading.engine.validation import f64, i64


class Blocks(NamedTuple):
    """Zones in the order of the breaks that created them. ``source`` indexes the Structure arrays."""

    source: np.ndarray  # int64, the break that created the block
    bar: np.ndarray  # int64, the block candle
    confirmed: np.ndarray  # int64, the break bar
    direction: np.ndarray  # int64
    top: np.ndarray
    bottom: np.ndarray


@njit(cache=True, nogil=True)
def _order_block_candles(high, low, atr, pivot_bar, conf, direction, max_candle_atr):
    m = pivot_bar.shape[0]
    out = np.full(m, -1, np.int64)
    for k in range(m):
        best = -1
        for j in range(pivot_bar[k], conf[k]):
            if high[j] - low[j] > max_candle_atr * atr[j]:
                continue
            if best < 0:
                best = j
            elif direction[k] > 0:
                if low[j] <= low[best]:
                    best = j
            elif high[j] >= high[best]:
                best = j
        out[k] = best
    return out


@njit(cache=True, nogil=True)
def _failure_swings(high, low, pivot_bar, conf, direction, choch, prior_level):
    m = pivot_bar.shape[0]
    out = np.zeros(m, np.bool_)
    for k in range(m):
        if not choch[k] or np.isnan(prior_level[k]):
            continue
        if direction[k] < 0:
            extreme = -np.inf
            for j in range(pivot_bar[k] + 1, conf[k] + 1):
                extreme = max(extreme, high[j])
            out[k] = extreme < prior_level[k]
        else:
            extreme = np.inf
            for j in range(pivot_bar[k] + 1, conf[k] + 1):
                extreme = min(extreme, low[j])
            out[k] = extreme > prior_level[k]
    return out


def order_blocks(high, low, atr, structure: Structure, *, max_candle_atr: float) -> Blocks:
    """One order block per break (where an eligible candle exists)."""
    high, low = f64(high), f64(low)
    candle = _order_block_candles(
        high,
        low,
        f64(atr),
        i64(structure.bar),
        i64(structure.confirmed),
        i64(structure.direction),
        float(max_candle_atr),
    )
    keep = np.flatnonzero(candle >= 0)
    bars = candle[keep]
    return Blocks(keep, bars, structure.confirmed[keep], structure.direction[keep], high[bars], low[bars])


def mitigation_blocks(high, low, structure: Structure) -> Blocks:
    """One mitigation block per CHoCH that ended a failure swing."""
    high, low = f64(high), f64(low)
    failed = _failure_swings(
        high,
        low,
        i64(structure.bar),
        i64(structure.confirmed),
        i64(structure.direction),
        np.ascontiguousarray(structure.choch, dtype=np.bool_).copy(),
        f64(structure.prior_level),
    )
    keep = np.flatnonzero(failed)
    bars = structure.bar[keep]
    return Blocks(keep, bars, structure.confirmed[keep], structure.direction[keep], high[bars], low[bars])
