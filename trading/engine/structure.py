"""Market structure: breaks of structure (BOS) and changes of character (CHoCH), judged on the close.

Rule, one state machine per pivot series (swing and internal structure are run separately and never
share state), at the close of every bar ``i``:

1. Pivots confirmed at bar ``i`` become the current pivot high / low of their side (a newer pivot
   replaces an older one of the same side, broken or not).
2. If the current pivot high is unbroken and ``close[i] > its level``, it is broken (once; it can never
   break again): a **CHoCH** if the trend of this structure was bearish, else a **BOS**; the trend
   becomes bullish (+1). Then the same for the current pivot low with ``close[i] < level`` (bearish).
3. ``bias[i]`` is the trend after bar ``i`` (0 until the first break).

Wicks never break structure. Each break also records the level of the opposite pivot that preceded
the broken one (for a broken low, the high before it), used by order_blocks.py to recognise failure
swings (mitigation blocks).

Confirmation delay: none beyond the pivot's own (``s`` bars): a break is known at the close of the bar
that closes beyond the level, and reads only bars ``<= i``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from trading.engine.pivots import Pivots
from trading.engine.validation import f64, i64


class Structure(NamedTuple):
    """Breaks in confirmation order, plus the trend after every bar."""

    pivot: np.ndarray  # int64, index of the broken pivot in the Pivots arrays
    bar: np.ndarray  # int64, bar of the broken pivot
    confirmed: np.ndarray  # int64, bar whose close broke it
    direction: np.ndarray  # int64, +1 bullish (a high broken) / -1 bearish
    choch: np.ndarray  # bool, True for a change of character
    level: np.ndarray  # float64, the broken pivot's level
    prior_level: np.ndarray  # float64, the opposite pivot before the broken one (NaN if none)
    bias: np.ndarray  # int64 per bar: +1 / -1 / 0


@njit(cache=True, nogil=True)
def _breaks(close, p_conf, p_side, p_level):
    n = close.shape[0]
    m = p_conf.shape[0]
    b_pivot = np.empty(m, np.int64)
    b_conf = np.empty(m, np.int64)
    b_dir = np.empty(m, np.int64)
    b_choch = np.empty(m, np.bool_)
    b_prior = np.empty(m)
    bias = np.zeros(n, np.int64)
    hi = -1
    lo = -1
    hi_broken = True
    lo_broken = True
    hi_prior = np.nan
    lo_prior = np.nan
    trend = 0
    k = 0
    c = 0
    for i in range(n):
        while k < m and p_conf[k] <= i:
            if p_side[k] == 1:
                hi_prior = p_level[lo] if lo >= 0 else np.nan
                hi = k
                hi_broken = False
            else:
                lo_prior = p_level[hi] if hi >= 0 else np.nan
                lo = k
                lo_broken = False
            k += 1
        if not hi_broken and close[i] > p_level[hi]:
            b_pivot[c] = hi
            b_conf[c] = i
            b_dir[c] = 1
            b_choch[c] = trend == -1
            b_prior[c] = hi_prior
            c += 1
            hi_broken = True
            trend = 1
        if not lo_broken and close[i] < p_level[lo]:
            b_pivot[c] = lo
            b_conf[c] = i
            b_dir[c] = -1
            b_choch[c] = trend == 1
            b_prior[c] = lo_prior
            c += 1
            lo_broken = True
            trend = -1
        bias[i] = trend
    return b_pivot[:c], b_conf[:c], b_dir[:c], b_choch[:c], b_prior[:c], bias


def market_structure(close: np.ndarray, pivots: Pivots) -> Structure:
    """BOS/CHoCH of one pivot series over ``close`` (see the module docstring)."""
    pivot, conf, direction, choch, prior, bias = _breaks(
        f64(close), i64(pivots.confirmed), i64(pivots.side), f64(pivots.level)
    )
    return Structure(pivot, pivots.bar[pivot], conf, direction, choch, pivots.level[pivot], prior, bias)
