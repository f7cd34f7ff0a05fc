"""Fair value gaps (three-candle imbalances) with a minimum size, fill percentage and mitigation.

Rule, for the three candles ``j-2, j-1, j``:

* bullish gap if ``low[j] > high[j-2]``: the zone ``[high[j-2], low[j]]``;
* bearish gap if ``high[j] < low[j-2]``: the zone ``[high[j], low[j-2]]``;
* kept only if its height is at least ``fvg_min_atr x ATR[j]`` and at least ``fvg_min_body x`` the body
  of the middle candle ``|close[j-1] - open[j-1]|`` (either test is off at 0).

The gap is anchored on the middle candle (``bar = j-1``) and known at the close of ``j``
(confirmation delay: one bar after its anchor, zero after its last candle); ``value`` is its height in
ATR. Life (zones.py): **mitigated** at the first later bar that trades into it, with the fill
percentage reached on that bar (how much of the gap, from its near edge, has been traded through);
**filled** at the first later bar that trades through its far edge (fill 100 %; the gap is gone).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from trading.engine.validation import f64


class Gaps(NamedTuple):
    bar: np.ndarray  # int64, the middle candle
    confirmed: np.ndarray  # int64, the third candle
    direction: np.ndarray  # int64
    top: np.ndarray
    bottom: np.ndarray
    size_atr: np.ndarray  # height / ATR at confirmation


@njit(cache=True, nogil=True)
def _gaps(open_, high, low, close, atr, min_atr, min_body):
    n = high.shape[0]
    conf = np.empty(max(n - 2, 0), np.int64)
    direction = np.empty(max(n - 2, 0), np.int64)
    m = 0
    for j in range(2, n):
        floor = max(min_atr * atr[j], min_body * abs(close[j - 1] - open_[j - 1]))
        up = low[j] - high[j - 2]
        down = low[j - 2] - high[j]
        # both cannot hold: that would need low[j] > high[j-2] >= low[j-2] > high[j]
        if up > 0.0 and up >= floor:
            conf[m] = j
            direction[m] = 1
            m += 1
        elif down > 0.0 and down >= floor:
            conf[m] = j
            direction[m] = -1
            m += 1
    conf = conf[:m]
    direction = direction[:m]
    top = np.empty(m)
    bottom = np.empty(m)
    size = np.empty(m)
    for k in range(m):
        j = conf[k]
        if direction[k] > 0:
            top[k] = low[j]
            bottom[k] = high[j - 2]
        else:
            top[k] = low[j - 2]
            bottom[k] = high[j]
        size[k] = (top[k] - bottom[k]) / atr[j] if atr[j] > 0.0 else np.nan
    return conf - 1, conf, direction, top, bottom, size


def fair_value_gaps(open_, high, low, close, atr, *, min_atr: float, min_body: float) -> Gaps:
    """All gaps that pass the size filters, in confirmation order."""
    return Gaps(*_gaps(f64(open_), f64(high), f64(low), f64(close), f64(atr), float(min_atr), float(min_body)))
