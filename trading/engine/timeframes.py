"""Timeframe labels as exchanges write them ("1m", "5m", "15m", "1h", "4h", "1d") and their durations."""

from __future__ import annotations

import re

import pandas as pd

from market.timeframes import timeframe_seconds

_UNITS = {"m": "min", "h": "h", "d": "D", "w": "W"}
_LABEL = re.compile(r"^(\d+)([mhdw])$")


def timeframe_to_timedelta(timeframe: str) -> pd.Timedelta:
    """``"15m"`` -> 15 minutes. Raises ValueError for anything else than <n><m|h|d|w>."""
    match = _LABEL.match(str(timeframe))
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"unknown timeframe {timeframe!r}: expected e.g. '1m', '5m', '15m', '1h', '4h', '1d'")
    return pd.Timedelta(seconds=timeframe_seconds(timeframe))


def timeframe_to_offset(timeframe: str) -> str:
    """``"15m"`` -> ``"15min"``, a pandas frequency string."""
    match = _LABEL.match(str(timeframe))
    if not match:
        raise ValueError(f"unknown timeframe {timeframe!r}: expected e.g. '1m', '5m', '15m', '1h', '4h', '1d'")
    return f"{int(match.group(1))}{_UNITS[match.group(2)]}"
