"""Input checks: the engine accepts one shape of candles and says clearly what is wrong with any other."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from numba import njit

REQUIRED = ("open", "high", "low", "close", "volume")
_REQUIRED = list(REQUIRED)


def f64(values) -> np.ndarray:
    """A writable, contiguous float64 array (the one array type the compiled detectors are built for)."""
    out = np.ascontiguousarray(values, dtype=np.float64)
    return out if out.flags.writeable else out.copy()


def i64(values) -> np.ndarray:
    out = np.ascontiguousarray(values, dtype=np.int64)
    return out if out.flags.writeable else out.copy()


class CandleArrays(NamedTuple):
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray


_NAT = np.iinfo(np.int64).min


@njit(cache=True, nogil=True)
def _all_valid(values, stamps):
    """True if the stamps strictly increase (no NaT) and every row of ``values`` (OHLCV) is finite, with
    high >= low and volume >= 0: every check of ``candle_arrays`` on the data, in one compiled pass."""
    if stamps.shape[0] > 0 and stamps[0] == _NAT:
        return False
    for i in range(1, stamps.shape[0]):
        if stamps[i] <= stamps[i - 1]:
            return False
    for i in range(values.shape[1]):
        for r in range(values.shape[0]):
            if not np.isfinite(values[r, i]):
                return False
        if values[1, i] < values[2, i] or values[4, i] < 0.0:
            return False
    return True


def candle_arrays(candles: pd.DataFrame) -> CandleArrays:
    """Validated, contiguous float64 arrays of ``candles``.

    Raises ValueError unless ``candles`` is a DataFrame with a UTC DatetimeIndex that strictly
    increases, and numeric ``open, high, low, close, volume`` columns without NaN or infinity, with
    ``high >= low`` and ``volume >= 0`` on every bar.
    """
    # The usual shape passes with one compiled check (a scan validates 2,000 series, and the numpy and pandas
    # checks one by one cost some 30 us a series); anything else takes the step-by-step path and its message.
    if type(candles) is pd.DataFrame and candles.columns.tolist() == _REQUIRED:
        index = candles.index
        if type(index) is pd.DatetimeIndex and index.tz is not None and str(index.tz) == "UTC":
            values = candles.to_numpy()
            if values.dtype == np.float64:
                values = np.ascontiguousarray(values.T)
                if not values.flags.writeable:  # pandas 3 hands out read-only views; numba compiles those apart
                    values = values.copy()
                if _all_valid(values, index.asi8):
                    return CandleArrays(*values)
    return _checked_arrays(candles)


def _checked_arrays(candles: pd.DataFrame) -> CandleArrays:
    if not isinstance(candles, pd.DataFrame):
        raise ValueError(f"candles must be a pandas DataFrame, got {type(candles).__name__}")
    exact = candles.columns.tolist() == _REQUIRED  # the usual shape; one C-level list, not five Index lookups
    missing = [] if exact else [c for c in REQUIRED if c not in candles.columns]
    if missing:
        raise ValueError(f"candles lack column(s) {', '.join(missing)}; need {', '.join(REQUIRED)}")
    index = candles.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"candles need a DatetimeIndex (bar open times), got {type(index).__name__}")
    if index.tz is None or str(index.tz) != "UTC":
        raise ValueError(f"candles' index must be in UTC, got tz={index.tz}")
    if not index.is_monotonic_increasing or not index.is_unique:
        raise ValueError("candles' index must be strictly increasing (sorted, no duplicate timestamps)")
    frame = candles if exact else candles[_REQUIRED]
    values = frame.to_numpy()
    if values.dtype.kind not in "fiu":
        for name in REQUIRED:
            dtype = candles[name].dtype
            if not (pd.api.types.is_float_dtype(dtype) or pd.api.types.is_integer_dtype(dtype)):
                raise ValueError(f"column {name!r} must be float64, got {dtype} (convert Decimals at the edge)")
    values = np.ascontiguousarray(values.T, dtype=np.float64)
    if not values.flags.writeable:  # pandas 3 hands out read-only views; numba compiles those separately
        values = values.copy()
    finite = np.isfinite(values)
    if not finite.all():
        row, bar = np.argwhere(~finite)[np.argmin(np.argwhere(~finite)[:, 1])]
        count = int((~finite).any(axis=0).sum())
        raise ValueError(
            f"column {REQUIRED[row]!r} has NaN or infinite values ({count} bar(s) affected, first at "
            f"position {int(bar)}, {index[bar]})"
        )
    out = CandleArrays(*values)
    bad = np.flatnonzero(out.high < out.low)
    if bad.size:
        raise ValueError(f"high < low on {bad.size} bar(s), first at position {int(bad[0])} ({index[bad[0]]})")
    bad = np.flatnonzero(out.volume < 0)
    if bad.size:
        raise ValueError(f"negative volume on {bad.size} bar(s), first at position {int(bad[0])} ({index[bad[0]]})")
    return out
