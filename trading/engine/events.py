"""The event table: one row per thing that became known at the close of a bar.

Columns: ``kind``, ``scope``, ``direction``, ``bar``, ``confirmed``, ``top``, ``bottom``, ``level``,
``value``, ``ref``.

* ``bar`` is the position of the candle the pattern is anchored on, ``confirmed`` the position of the
  candle at whose close it became known (``confirmed >= bar``). Rows are sorted by ``confirmed`` (then
  kind, scope, direction, bar, top, bottom), so the table of a prefix of the candles is exactly the
  first rows of the table of the whole series, and row numbers are stable.
* ``ref`` is the row of the event this one follows from (the pivot a break broke, the break that
  created a block, the block a mitigation or a breaker belongs to, the pool a sweep took), or -1.
  A referenced row is always confirmed no later than the row that refers to it.
* ``scope`` is ``swing`` or ``internal`` for structure-based events, empty for gaps.
* ``direction``: +1 bullish / -1 bearish, except for pivots and pools where it is the side
  (+1 a high / equal highs, liquidity above; -1 a low / equal lows).

Kinds (``top``/``bottom``/``level``/``value``):

============================  =====================================================================
pivot_high, pivot_low         a confirmed pivot; top = bottom = level = its price
bos, choch                    a close beyond a pivot; bar = the pivot's bar, level = its price
ob                            order block; top/bottom = the block candle, level = mid (mean threshold)
mb                            mitigation block (failure swing at a CHoCH); like ob
fvg                           fair value gap; top/bottom = the gap, level = mid, value = height in ATR
equal_highs, equal_lows       liquidity pool; top/bottom = the two pivots, level = where stops sit,
                              value = their difference in ATR
ob_mitigated                  first retest of a block; value = depth reached, % of the block
breaker                       an order block closed through: the breaker, opposite direction
breaker_mitigated             first retest of a breaker; value = depth %
breaker_invalidated           a breaker closed through: gone
mb_mitigated, mb_invalidated  the same for a mitigation block
fvg_mitigated                 first trade into a gap; value = fill % reached on that bar
fvg_filled                    the gap traded through completely; value = 100
sweep                         wick through a pool, close back inside; direction = the reversal
                              (-1 for equal highs); top/bottom = the sweep candle, level = the pool's,
                              value = how far past the level, in ATR
run                           wick and close through a pool; direction = the continuation
============================  =====================================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numba import njit

KINDS = (
    "pivot_high",
    "pivot_low",
    "bos",
    "choch",
    "ob",
    "mb",
    "fvg",
    "equal_highs",
    "equal_lows",
    "ob_mitigated",
    "breaker",
    "breaker_mitigated",
    "breaker_invalidated",
    "mb_mitigated",
    "mb_invalidated",
    "fvg_mitigated",
    "fvg_filled",
    "sweep",
    "run",
)
KIND = {name: code for code, name in enumerate(KINDS)}
(
    PIVOT_HIGH,
    PIVOT_LOW,
    BOS,
    CHOCH,
    OB,
    MB,
    FVG,
    EQUAL_HIGHS,
    EQUAL_LOWS,
    OB_MITIGATED,
    BREAKER,
    BREAKER_MITIGATED,
    BREAKER_INVALIDATED,
    MB_MITIGATED,
    MB_INVALIDATED,
    FVG_MITIGATED,
    FVG_FILLED,
    SWEEP,
    RUN,
) = range(len(KINDS))
SCOPES = ("swing", "internal", "")
SWING, INTERNAL, NO_SCOPE = 0, 1, 2

KIND_DTYPE = pd.CategoricalDtype(list(KINDS))
SCOPE_DTYPE = pd.CategoricalDtype(list(SCOPES))
COLUMNS = ("kind", "scope", "direction", "bar", "confirmed", "top", "bottom", "level", "value", "ref")

# Raw events travel as two 2-D arrays: integers (rows below) and floats (rows below).
I_KIND, I_SCOPE, I_DIR, I_BAR, I_CONF, I_REF = range(6)
F_TOP, F_BOTTOM, F_LEVEL, F_VALUE = range(4)


@njit(cache=True, nogil=True)
def _ranks_after(a, b, ints, floats):
    """Within one (confirmed, kind, scope, direction): does raw event a sort after b (bar, top, bottom)?"""
    if ints[I_BAR, a] != ints[I_BAR, b]:
        return ints[I_BAR, a] > ints[I_BAR, b]
    if floats[F_TOP, a] != floats[F_TOP, b]:
        return floats[F_TOP, a] > floats[F_TOP, b]
    return floats[F_BOTTOM, a] > floats[F_BOTTOM, b]


@njit(cache=True, nogil=True)
def _break_ties(order, key, ints, floats):
    """Within runs of equal ``key`` in ``order``: insertion sort by (bar, top, bottom), stable."""
    m = order.shape[0]
    start = 0
    while start < m:
        stop = start + 1
        while stop < m and key[order[stop]] == key[order[start]]:
            stop += 1
        for a in range(start + 1, stop):
            x = order[a]
            b = a
            while b > start and _ranks_after(order[b - 1], x, ints, floats):
                order[b] = order[b - 1]
                b -= 1
            order[b] = x
        start = stop


@njit(cache=True, nogil=True)
def _after(a, b, key, ints, floats):
    """Does raw event a sort after b: by key, then (bar, top, bottom)?"""
    if key[a] != key[b]:
        return key[a] > key[b]
    return _ranks_after(a, b, ints, floats)


@njit(cache=True, nogil=True)
def _by_key(key, ints, floats):
    """Raw positions in table order (key, then bar, top, bottom; ties by position). ``key`` leads with the
    confirmation bar, so a counting sort by bar (stable) and an insertion sort of each bar's few events
    (stable) give it in O(events + bars), where a comparison sort of the whole array costs
    O(events log events). The insertion sort compares the key and, for equal keys, (bar, top, bottom) in one
    pass: the same order as sorting by key and then each run of equal keys by (bar, top, bottom)."""
    m = key.shape[0]
    conf = ints[I_CONF]
    if m == 0 or conf.min() < 0:
        unique = np.empty(m, np.int64)
        for k in range(m):
            unique[k] = key[k] * m + k  # raw position last: keys are unique, so the quicksort is stable
        order = np.argsort(unique)
        _break_ties(order, key, ints, floats)
        return order
    start = np.zeros(conf.max() + 2, np.int64)
    for k in range(m):
        start[conf[k] + 1] += 1
    for b in range(1, start.shape[0]):
        start[b] += start[b - 1]
    order = np.empty(m, np.int64)
    for k in range(m):
        order[start[conf[k]]] = k
        start[conf[k]] += 1  # start[b] ends as the start of bar b + 1
    first = 0
    for b in range(start.shape[0] - 1):
        for a in range(first + 1, start[b]):
            x = order[a]
            q = a
            while q > first and _after(order[q - 1], x, key, ints, floats):
                order[q] = order[q - 1]
                q -= 1
            order[q] = x
        first = start[b]
    return order


@njit(cache=True, nogil=True)
def _sort_small(ints, floats, key):
    """The whole sort compiled (short series: numpy's per-call costs would dominate)."""
    m = key.shape[0]
    order = _by_key(key, ints, floats)
    rank = np.empty(m, np.int64)
    for r in range(m):
        rank[order[r]] = r
    out_i = np.empty_like(ints)
    out_f = np.empty_like(floats)
    for j in range(ints.shape[0]):
        for r in range(m):
            out_i[j, r] = ints[j, order[r]]
    for j in range(floats.shape[0]):
        for r in range(m):
            out_f[j, r] = floats[j, order[r]]
    for r in range(m):
        ref = out_i[I_REF, r]
        out_i[I_REF, r] = rank[ref] if ref >= 0 else -1
    return out_i, out_f


@njit(cache=True, nogil=True)
def sort_key(ints):
    """The leading sort key per raw event: (confirmed, kind, scope, direction) packed in one int64."""
    m = ints.shape[1]
    key = np.empty(m, np.int64)
    for k in range(m):
        up = 1 if ints[I_DIR, k] > 0 else 0
        key[k] = ((ints[I_CONF, k] * 32 + ints[I_KIND, k]) * 4 + ints[I_SCOPE, k]) * 2 + up
    return key


SMALL = 20_000  # below this many events the compiled sort is faster; above, numpy's stable argsort


def sort_events(ints: np.ndarray, floats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw events in table order (confirmed, kind, scope, direction, bar, top, bottom), refs remapped to rows.

    Stable: events equal in all of these keep their raw order. Two paths, one order.
    """
    key = sort_key(ints)
    if key.size < SMALL:
        return _sort_small(ints, floats, key)
    order = np.argsort(key, kind="stable")
    _break_ties(order, key, ints, floats)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    ints = ints[:, order]
    floats = floats[:, order]
    ref = ints[I_REF]
    ints[I_REF] = np.where(ref >= 0, rank[np.maximum(ref, 0)], -1)
    return ints, floats


def events_frame(ints: np.ndarray, floats: np.ndarray) -> pd.DataFrame:
    """The event table from sorted raw events (see the module docstring)."""
    return pd.DataFrame(
        {
            "kind": pd.Categorical.from_codes(ints[I_KIND], dtype=KIND_DTYPE),
            "scope": pd.Categorical.from_codes(ints[I_SCOPE], dtype=SCOPE_DTYPE),
            "direction": ints[I_DIR],
            "bar": ints[I_BAR],
            "confirmed": ints[I_CONF],
            "top": floats[F_TOP],
            "bottom": floats[F_BOTTOM],
            "level": floats[F_LEVEL],
            "value": floats[F_VALUE],
            "ref": ints[I_REF],
        }
    )
