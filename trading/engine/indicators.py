"""Indicators the detectors measure distances with, and sliding window extremes.

ATR is Wilder's, exactly as ``ta.volatility.AverageTrueRange`` computes it from bar ``period - 1`` on
(the tests check equality). ``ta`` runs a Python loop over the bars (about 0.26 s per 100,000 bars and
3 ms per 1,000-bar call), which alone would exceed the engine's whole time budget, so the same
recursion is compiled here. Warm-up differs on purpose: ``ta`` returns 0 before bar ``period - 1``;
here those bars get the mean true range so far, so early bars have a usable, causal scale.

Causal: ``atr[i]``, ``sliding_max(...)[i]`` and ``sliding_min(...)[i]`` read bars ``<= i`` only.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trading.engine.validation import f64


@njit(cache=True, nogil=True, inline="always")
def true_range_at(high, low, close, i):
    """The true range of bar ``i`` (inlined by numba where it is called)."""
    r = high[i] - low[i]
    if i > 0:
        up = abs(high[i] - close[i - 1])
        down = abs(low[i] - close[i - 1])
        if up > r:
            r = up
        if down > r:
            r = down
    return r


@njit(cache=True, nogil=True)
def true_range(high, low, close):
    n = high.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = true_range_at(high, low, close, i)
    return out


def atr(high, low, close, period: int) -> np.ndarray:
    """Wilder's average true range; bars before ``period - 1`` get the running mean true range."""
    return wilder_atr(f64(high), f64(low), f64(close), int(period))


@njit(cache=True, nogil=True)
def wilder_atr(high, low, close, period):
    # the true range per bar inside the loop (no scratch array); the same operations in the same order as
    # ta, so the same bits. The recursion's multiply-add-divide chain is the cost: pipeline.detect_events
    # runs it interleaved with other per-bar work (_atr_and_blocks), which keeps this exact arithmetic.
    n = high.shape[0]
    out = np.empty(n)
    total = 0.0
    for i in range(n):
        r = true_range_at(high, low, close, i)
        if i < period:
            total += r
            out[i] = total / (i + 1)
        else:
            out[i] = (out[i - 1] * (period - 1) + r) / period
    return out


@njit(cache=True, nogil=True)
def sliding_max(values, window):
    """``out[i] = max(values[max(0, i - window + 1) .. i])`` in O(n) (van Herk / Gil-Werman blocks).

    Blocks of ``window`` bars: a running max from each block's start (``prefix``) and from each
    block's end backwards (``suffix``); a window ``[s, i]`` spans at most two blocks, so its max is
    ``max(suffix[s], prefix[i])``.
    """
    n = values.shape[0]
    prefix = np.empty(n)
    suffix = np.empty(n)
    for start in range(0, n, window):
        end = min(start + window, n)
        m = values[start]
        for i in range(start, end):
            m = max(m, values[i])
            prefix[i] = m
        m = values[end - 1]
        for i in range(end - 1, start - 1, -1):
            m = max(m, values[i])
            suffix[i] = m
    out = np.empty(n)
    for i in range(min(window - 1, n)):
        out[i] = prefix[i]
    for i in range(window - 1, n):
        out[i] = max(suffix[i - window + 1], prefix[i])
    return out


@njit(cache=True, nogil=True)
def sliding_min(values, window):
    """``out[i] = min(values[max(0, i - window + 1) .. i])`` in O(n): the sliding max of ``-values``, negated
    (the detectors use ``sliding_extremes``; this is the reference it is tested against)."""
    return -sliding_max(-values, window)


@njit(cache=True, nogil=True)
def sliding_extremes(high, low, window):
    """``(sliding_max(high, window), sliding_min(low, window))`` in one pass: the same operations, with the
    four running extremes (max and min, forward and backward through each block) in one loop. Each step of
    a running extreme waits for the previous one; interleaved, the CPU overlaps the four chains, so this
    costs about what one of them alone would. ``high`` and ``low`` have the same length."""
    n = high.shape[0]
    prefix_hi = np.empty(n)
    suffix_hi = np.empty(n)
    prefix_lo = np.empty(n)
    suffix_lo = np.empty(n)
    for start in range(0, n, window):
        end = min(start + window, n)
        hi = high[start]
        lo = low[start]
        back_hi = high[end - 1]
        back_lo = low[end - 1]
        for k in range(end - start):
            i = start + k
            hi = max(hi, high[i])
            lo = min(lo, low[i])
            prefix_hi[i] = hi
            prefix_lo[i] = lo
            j = end - 1 - k
            back_hi = max(back_hi, high[j])
            back_lo = min(back_lo, low[j])
            suffix_hi[j] = back_hi
            suffix_lo[j] = back_lo
    # the answers overwrite the prefixes (bars before window - 1 keep theirs): no more arrays
    for i in range(window - 1, n):
        prefix_hi[i] = max(suffix_hi[i - window + 1], prefix_hi[i])
        prefix_lo[i] = min(suffix_lo[i - window + 1], prefix_lo[i])
    return prefix_hi, prefix_lo
