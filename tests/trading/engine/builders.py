"""Hand-built candles for detector tests: write the bars, get the engine's input format."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trading.engine import EngineConfig


def candles(
    bars: list[tuple[float, float, float]] | list[tuple[float, float, float, float]],
    *,
    volume=None,
    start: str = "2024-01-01",
    freq: str = "5min",
) -> pd.DataFrame:
    """Bars as (high, low, close) - each opening at the previous close (the first at its close) - or
    (open, high, low, close). Volume 1 per bar unless given."""
    rows = []
    previous = None
    for bar in bars:
        if len(bar) == 3:
            high, low, close = bar
            open_ = close if previous is None else previous
        else:
            open_, high, low, close = bar
        rows.append((open_, high, low, close))
        previous = close
    data = np.array(rows, dtype=np.float64).reshape(-1, 4)
    frame = pd.DataFrame(
        data,
        columns=["open", "high", "low", "close"],
        index=pd.date_range(start, periods=len(rows), freq=freq, tz="UTC", name="time"),
    )
    frame["volume"] = np.ones(len(rows)) if volume is None else np.asarray(volume, dtype=np.float64)
    return frame


def small_config(**changes) -> EngineConfig:
    """Pivot sizes a hand-built series can show (swing 2, internal 2), everything reported."""
    base = {"swing_size": 2, "internal_size": 2, "report_confidence": 0}
    base.update(changes)
    return EngineConfig(**base)


def rows(events: pd.DataFrame, kind: str, scope: str | None = None) -> pd.DataFrame:
    """The events of one kind (and scope), as plain columns."""
    mask = events["kind"] == kind
    if scope is not None:
        mask &= events["scope"] == scope
    return events[mask].reset_index()


# The structure example used by several tests (pivot size 2), worked out in test_structure.py:
# a pivot high 12 (bar 2) broken by the close of bar 6 (BOS up), a pivot high 14 (bar 8), then the
# pivot low 9 (bar 4) broken by the close of bar 12 (CHoCH down); bar 11's wick below 9 closes above.
STRUCTURE_BARS = [
    (10.0, 9.0, 9.5),  # 0
    (11.0, 10.0, 10.5),  # 1
    (12.0, 11.0, 11.5),  # 2  pivot high 12
    (11.0, 10.0, 10.5),  # 3
    (10.0, 9.0, 9.5),  # 4  pivot low 9
    (11.0, 10.0, 10.8),  # 5
    (12.5, 11.0, 12.2),  # 6  close 12.2 > 12: BOS up
    (13.0, 12.0, 12.8),  # 7
    (14.0, 12.5, 13.5),  # 8  pivot high 14
    (13.0, 12.0, 12.3),  # 9
    (12.5, 11.5, 11.8),  # 10
    (12.0, 8.9, 10.8),  # 11 wick below 9, close above: no break
    (11.0, 8.5, 8.8),  # 12 close 8.8 < 9: CHoCH down
    (9.5, 8.0, 8.5),  # 13
    (10.0, 8.8, 9.8),  # 14
    (10.5, 9.5, 10.2),  # 15
]
