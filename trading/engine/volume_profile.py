"""Rolling volume profile (POC, value area) and premium / discount of the same window.

Rule, at the close of bar ``i``, over the window of bars ``max(0, i-window+1) .. i`` (it ends at the
bar itself: no confirmation delay, nothing later is read):

* the window's range ``[lo, hi]`` (lowest low, highest high) is cut into ``bins`` equal bins; each bar
  puts its volume in the bin of its typical price ``(high + low + close) / 3`` (where inside a candle
  the volume traded is unknown without lower-timeframe data; the typical price is the usual estimate,
  and a scan evaluates thousands of profiles, so the cheap one is used: the highest price falls in the
  top bin);
* **POC** is the centre of the bin with the most volume (ties: the lowest bin);
* the **value area** grows from the POC bin, each step adding the neighbouring bin with more volume
  (ties: the upper one), until it holds ``value_area`` (70 %) of the volume; **VAH** / **VAL** are its
  outer edges;
* **equilibrium** is the middle of the range: above it is **premium** (+1), below it **discount** (-1),
  exactly on it 0.

The engine evaluates the profile only at the bars where a setup needs it, in bar order, updating the
last histogram when the window moved by less than half its length with an unchanged range
(``profile_step``: the same numbers up to float rounding); ``volume_profile`` gives every bar (for
charts and tests).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from numba import njit

from trading.engine.validation import candle_arrays, f64, i64


class Profile(NamedTuple):
    poc: np.ndarray
    vah: np.ndarray
    val: np.ndarray
    range_high: np.ndarray
    range_low: np.ndarray
    equilibrium: np.ndarray


@njit(cache=True, nogil=True)
def window_range(high, low, i, window):
    """(highest high, lowest low) of the window ending at bar ``i``."""
    s = max(0, i - window + 1)
    lo = low[s]
    hi = high[s]
    for b in range(s + 1, i + 1):
        lo = min(lo, low[b])
        hi = max(hi, high[b])
    return hi, lo


@njit(cache=True, nogil=True)
def _add(hist, high, low, close, volume, lo, scale, bins, sign):
    """Add (sign +1) or remove (-1) one bar's volume at its typical price."""
    q = min(int(((high + low + close) / 3.0 - lo) * scale), bins - 1)
    hist[q] += sign * volume


@njit(cache=True, nogil=True)
def _add_typical(hist, typical, volume, lo, scale, bins, sign):
    """``_add`` with the bar's typical price already computed (the same value: the same operations)."""
    q = min(int((typical - lo) * scale), bins - 1)
    hist[q] += sign * volume


@njit(cache=True, nogil=True)
def _read(hist, lo, hi, bins, share):
    """(poc, vah, val) of a histogram over [lo, hi]."""
    best = 0
    total = 0.0
    for q in range(bins):
        total += hist[q]
        if hist[q] > hist[best]:
            best = q
    target = share * total
    down = best
    up = best
    acc = hist[best]
    while acc < target and (down > 0 or up < bins - 1):
        above = hist[up + 1] if up < bins - 1 else -np.inf
        below = hist[down - 1] if down > 0 else -np.inf
        if above >= below:
            up += 1
            acc += above
        else:
            down -= 1
            acc += below
    width = (hi - lo) / bins
    return lo + (best + 0.5) * width, lo + (up + 1) * width, lo + down * width


@njit(cache=True, nogil=True)
def profile_bar(high, low, close, volume, i, window, bins, share, hist):
    """(poc, vah, val, range high, range low) of the window ending at bar ``i``; ``hist`` is scratch space."""
    hi, lo = window_range(high, low, i, window)
    if not hi > lo:
        return hi, hi, lo, hi, lo
    scale = bins / (hi - lo)
    for q in range(bins):
        hist[q] = 0.0
    for b in range(max(0, i - window + 1), i + 1):
        _add(hist, high[b], low[b], close[b], volume[b], lo, scale, bins, 1.0)
    poc, vah, val = _read(hist, lo, hi, bins, share)
    return poc, vah, val, hi, lo


@njit(cache=True, nogil=True)
def profile_step(high, low, close, volume, t, window, bins, share, hist, state, range_high, range_low, typical):
    """``profile_bar`` for increasing bars ``t``, reusing the last histogram when the window moved by less
    than half its length and its range did not change (then only the bars that left and entered are
    removed/added). ``state`` = [previous bar or -1, its range low, its range high, last bar of ``typical``
    filled or -1]; ``range_high`` / ``range_low`` are the window extremes per bar. ``typical`` is scratch of
    the series' length for the bars' typical prices, each computed once (a rebuilt histogram re-reads up to
    ``window`` bars) when a window first reaches it. Equal to ``profile_bar`` up to float rounding.
    """
    hi = range_high[t]
    lo = range_low[t]
    if not hi > lo:
        state[0] = -1.0
        return hi, hi, lo, hi, lo
    scale = bins / (hi - lo)
    s = max(0, t - window + 1)
    # bars s..t: those up to state[3] were filled by earlier (smaller) t, whose windows started no later
    for b in range(max(int(state[3]) + 1, s), t + 1):
        typical[b] = (high[b] + low[b] + close[b]) / 3.0
    state[3] = t
    prev = int(state[0])
    if prev >= 0 and lo == state[1] and hi == state[2] and 2 * (t - prev) < window:
        for b in range(max(0, prev - window + 1), s):
            _add_typical(hist, typical[b], volume[b], lo, scale, bins, -1.0)
        for b in range(prev + 1, t + 1):
            _add_typical(hist, typical[b], volume[b], lo, scale, bins, 1.0)
    else:
        for q in range(bins):
            hist[q] = 0.0
        for b in range(s, t + 1):
            _add_typical(hist, typical[b], volume[b], lo, scale, bins, 1.0)
    state[0] = t
    state[1] = lo
    state[2] = hi
    poc, vah, val = _read(hist, lo, hi, bins, share)
    return poc, vah, val, hi, lo


@njit(cache=True, nogil=True)
def _profile_at(high, low, close, volume, bars, window, bins, share):
    r = bars.shape[0]
    poc = np.empty(r)
    vah = np.empty(r)
    val = np.empty(r)
    rhi = np.empty(r)
    rlo = np.empty(r)
    hist = np.empty(bins)
    for row in range(r):
        poc[row], vah[row], val[row], rhi[row], rlo[row] = profile_bar(
            high, low, close, volume, bars[row], window, bins, share, hist
        )
    return poc, vah, val, rhi, rlo


def profile_at(high, low, close, volume, bars, *, window: int, bins: int, value_area: float) -> Profile:
    """The profile of the window ending at each of ``bars`` (int64 positions)."""
    poc, vah, val, rhi, rlo = _profile_at(
        f64(high), f64(low), f64(close), f64(volume), i64(bars), int(window), int(bins), float(value_area)
    )
    return Profile(poc, vah, val, rhi, rlo, (rhi + rlo) / 2.0)


def premium_discount(close, equilibrium) -> np.ndarray:
    """+1 premium (close above the equilibrium), -1 discount, 0 on it."""
    return np.sign(np.asarray(close) - np.asarray(equilibrium)).astype(np.int64)


def volume_profile(
    candles: pd.DataFrame, *, window: int = 100, bins: int = 24, value_area: float = 0.70
) -> pd.DataFrame:
    """Per bar: poc, vah, val, range_high, range_low, equilibrium and zone (+1 premium / -1 discount)."""
    arrays = candle_arrays(candles)
    bars = np.arange(len(candles), dtype=np.int64)
    p = profile_at(
        arrays.high, arrays.low, arrays.close, arrays.volume, bars, window=window, bins=bins, value_area=value_area
    )
    out = pd.DataFrame(p._asdict(), index=candles.index)
    out["zone"] = premium_discount(arrays.close, p.equilibrium)
    return out
