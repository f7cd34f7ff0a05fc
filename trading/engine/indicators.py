"""Indicators the detectors measure distances with.

ATR is Wilder's, exactly as ``ta.volatility.AverageTrueRange`` computes it from bar ``period - 1`` on
(the tests check equality). ``ta`` runs a Python loop over the bars (about 0.26 s per 100,000 bars and
3 ms per 1,000-bar call), which alone would exceed the engine's whole time budget, so the same
recursion is compiled here. Warm-up differs on purpose: ``ta`` returns 0 before bar ``period - 1``;
here those bars get the mean true range so far, so early bars have a usable, causal scale.

Causal: ``atr[i]`` reads bars ``<= i`` only.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading.engine.validation import f64


@njit(cache=True, nogil=True)
def true_range(high, low, close):
    n = high.shape[0]
    out = np.empty(n)
    for i in range(n):
        r = high[i] - low[i]
        if i > 0:
            up = abs(high[i] - close[i - 1])
            down = abs(low[i] - close[i - 1])
            if up > r:
                r = up
            if down > r:
                r = down
        out[i] = r
    return out


def atr(high, low, close, period: int) -> np.ndarray:
    """Wilder's average true range; bars before ``period - 1`` get the running mean true range."""
    return wilder_atr(f64(high), f64(low), f64(close), int(period))


@njit(cache=True, nogil=True)
def wilder_atr(high, low, close, period):
    tr = true_range(high, low, close)
    n = tr.shape[0]
    out = np.empty(n)
    total = 0.0
    for i in range(n):
        if i < period:
            total += tr[i]
            out[i] = total / (i + 1)
        else:
            out[i] = (out[i - 1] * (period - 1) + tr[i]) / period
    return out
