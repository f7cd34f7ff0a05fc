"""Pivots (swing highs and lows), confirmed by later bars only.

Rule, for a pivot size ``s`` (swing 50, internal 5), evaluated at the close of every bar ``i``, for the
candidate bar ``p = i - s``:

* ``p`` starts a down leg if ``high[p] > max(high[p+1 .. i])`` (its high was not exceeded, nor equalled,
  by the ``s`` bars after it); it starts an up leg if ``low[p] < min(low[p+1 .. i])``.
* A pivot high is recorded at ``p`` when a down leg starts while the current leg is not already down;
  a pivot low when an up leg starts while the current leg is not already up. So pivots alternate
  high, low, high, ... (the first one can be either). An outside candidate that starts both legs
  reverses the current leg (a pivot high if the leg was up, a pivot low if it was down) and is skipped
  while no leg exists yet.

Ties: the comparison is strict, so of two equal highs the later one is the pivot (the earlier one was
"not rejected yet" when the later bar traded at its level). Equal highs/lows are liquidity pools, see
liquidity.py.

Confirmation delay: exactly ``s`` bars (``confirmed = bar + s``); the decision reads bars ``<= bar + s``.
The pivot's level is ``high[bar]`` (or ``low[bar]``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from trading.engine.indicators import sliding_extremes
from trading.engine.validation import f64

HIGH = 1
LOW = -1


class Pivots(NamedTuple):
    """Pivots in bar order (= confirmation order). ``side`` is +1 for a high, -1 for a low."""

    bar: np.ndarray  # int64
    confirmed: np.ndarray  # int64, bar + size
    side: np.ndarray  # int64, +1 high / -1 low
    level: np.ndarray  # float64


@njit(cache=True, nogil=True)
def _pivot_bars(high, low, size):
    n = high.shape[0]
    bars = np.empty(n, np.int64)
    sides = np.empty(n, np.int64)
    m = 0
    # window extremes of the `size` bars after each candidate: bars p+1 .. p+size end at bar p+size
    later_high, later_low = sliding_extremes(high, low, size)
    leg = 0
    for i in range(size, n):
        p = i - size
        new_high = high[p] > later_high[i]
        new_low = low[p] < later_low[i]
        side = 0
        if new_high and new_low:
            if leg == 1:
                side = HIGH
            elif leg == -1:
                side = LOW
        elif new_high and leg != -1:
            side = HIGH
        elif new_low and leg != 1:
            side = LOW
        if side == HIGH:
            leg = -1
            bars[m] = p
            sides[m] = HIGH
            m += 1
        elif side == LOW:
            leg = 1
            bars[m] = p
            sides[m] = LOW
            m += 1
    return bars[:m], sides[:m]


def find_pivots(high: np.ndarray, low: np.ndarray, size: int) -> Pivots:
    """Alternating pivot highs/lows of ``size``, each known ``size`` bars after its bar."""
    if size < 1:
        raise ValueError(f"pivot size must be >= 1, got {size}")
    high, low = f64(high), f64(low)
    bars, sides = _pivot_bars(high, low, int(size))
    level = np.where(sides == HIGH, high[bars], low[bars])
    return Pivots(bars, bars + size, sides, level)
