"""Calibration: how often backtested signals of a kind reached TP1, by setup and confidence bucket.

A case is a signal whose order was filled and whose outcome is known: it reached TP1, or the stop or a
timeout ended it first. Signals still open when the data ended without having reached TP1 are left
out (their outcome is unknown), and so are signals that never filled. Cases are counted over every
filled signal, not only the ones the portfolio took, so overlapping signals do not hide outcomes.

Buckets are ``bucket_width`` wide (5 by default) and closed on the left: 75-80 holds 75 <= confidence <
80; the last bucket also holds 100. Below ``min_cases`` cases (30 by default) the sentence says the
sample is too small instead of quoting a rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

TABLE_COLUMNS = ["setup", "bucket", "low", "high", "cases", "tp1_hits", "hit_rate"]
MIN_CASES = 30


@dataclass(frozen=True)
class CalibrationLookup:
    """The calibration figure behind one live signal, and the sentence the signal shows."""

    setup: str | None
    bucket: str
    cases: int
    tp1_hits: int
    hit_rate: float  # NaN without cases
    reliable: bool  # at least min_cases cases
    sentence: str


def _bucket_low(confidence: np.ndarray, width: float) -> np.ndarray:
    return np.minimum(np.floor(confidence / width) * width, 100.0 - width)


def _label(low: float, high: float) -> str:
    def fmt(x: float) -> str:
        return f"{x:.0f}" if float(x).is_integer() else f"{x:g}"

    return f"{fmt(low)}-{fmt(high)}"


def calibration_table(outcomes: pd.DataFrame, *, bucket_width: float = 5.0) -> pd.DataFrame:
    """TP1 hit rate per setup and confidence bucket, with counts (columns :data:`TABLE_COLUMNS`).

    ``outcomes`` needs ``setup``, ``confidence``, ``resolved`` (bool: a case) and ``tp1_hit`` (bool).
    """
    cases = outcomes[outcomes["resolved"].astype(bool) & outcomes["confidence"].notna()]
    if cases.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c in ("setup", "bucket") else np.float64) for c in TABLE_COLUMNS}
        ).astype({"cases": np.int64, "tp1_hits": np.int64})
    low = _bucket_low(cases["confidence"].to_numpy(np.float64), bucket_width)
    grouped = (
        pd.DataFrame(
            {
                "setup": cases["setup"].astype(str).to_numpy(),
                "low": low,
                "hit": cases["tp1_hit"].astype(bool).to_numpy(),
            }
        )
        .groupby(["setup", "low"], sort=True)["hit"]
        .agg(["size", "sum"])
        .reset_index()
    )
    table = pd.DataFrame(
        {
            "setup": grouped["setup"],
            "bucket": [_label(lo, lo + bucket_width) for lo in grouped["low"]],
            "low": grouped["low"].astype(np.float64),
            "high": grouped["low"].astype(np.float64) + bucket_width,
            "cases": grouped["size"].astype(np.int64),
            "tp1_hits": grouped["sum"].astype(np.int64),
        }
    )
    table["hit_rate"] = table["tp1_hits"] / table["cases"]
    return table[TABLE_COLUMNS].reset_index(drop=True)


def calibration_lookup(
    table: pd.DataFrame,
    setup: str | None,
    confidence: float,
    *,
    min_cases: int = MIN_CASES,
    bucket_width: float | None = None,
) -> CalibrationLookup:
    """The calibration of (setup, confidence) and its sentence; ``setup=None`` pools every setup.

    The bucket width is read from the table (5 when the table is empty and none is given).
    """
    if bucket_width is None:
        bucket_width = float((table["high"] - table["low"]).iloc[0]) if len(table) else 5.0
    low = float(_bucket_low(np.array([float(confidence)]), bucket_width)[0])
    rows = table[np.isclose(table["low"].to_numpy(np.float64), low)]
    if setup is not None:
        rows = rows[rows["setup"] == setup]
    cases = int(rows["cases"].sum())
    hits = int(rows["tp1_hits"].sum())
    rate = hits / cases if cases else math.nan
    reliable = cases >= min_cases
    if not cases:
        sentence = "no backtested cases of setups like this yet"
    elif reliable:
        sentence = f"setups like this reached TP1 in {100 * rate:.0f} % of {cases:,} backtested cases"
    else:
        sentence = (
            f"setups like this reached TP1 in {hits:,} of only {cases:,} backtested cases, "
            f"too few for a reliable rate (fewer than {min_cases:,})"
        )
    return CalibrationLookup(
        setup=setup,
        bucket=_label(low, low + bucket_width),
        cases=cases,
        tp1_hits=hits,
        hit_rate=rate,
        reliable=reliable,
        sentence=sentence,
    )
