"""Signal quality report: predicted vs realised TP1 rates per class and bucket, Brier score, mean R.

``judge`` gives every signal its outcome (``trading.engine.outcomes``) and the walk-forward evidence it
had when it became known (``trading.engine.evidence``); ``reliability_table`` groups the result by
(setup, direction, timeframe) and confidence bucket. ``predicted`` is the mean evidence rate of the
resolved signals that had one, ``realised`` the share of resolved signals that reached TP1; Brier is
the mean squared gap between the two over those signals (0 is perfect, 0.25 is a coin toss at 50 %).
``mirrored`` and ``random_entries`` build the two baselines the bench prints next to the engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trading.engine.evidence import EvidenceConfig, bucket_low, walk_forward_evidence
from trading.engine.outcomes import FINAL, OutcomeConfig, signal_outcomes

REPORT_COLUMNS = ["class", "bucket", "signals", "resolved", "predicted", "realised", "brier", "mean_r"]
LEVEL_COLUMNS = ["entry", "stop_loss", "take_profit_1", "take_profit_2"]


def series_outcomes(
    candles: pd.DataFrame, signals: pd.DataFrame, timeframe: str, config: OutcomeConfig | None = None
) -> pd.DataFrame:
    """The series' signals with ``timeframe``, ``known_at`` (close of the confirming bar) and outcomes."""
    sig = signals.reset_index(drop=True).copy()
    sig["timeframe"] = timeframe
    index = pd.DatetimeIndex(candles.index)
    step = index[1] - index[0] if len(index) > 1 else pd.Timedelta(0)
    sig["known_at"] = index[sig["confirmed"].to_numpy(np.int64)] + step
    if "setup" not in sig:
        sig["setup"] = "all"
    return pd.concat([sig, signal_outcomes(candles, sig, config)], axis=1)


def judge(judged: pd.DataFrame, config: EvidenceConfig | None = None) -> pd.DataFrame:
    """Signals with outcomes (many series pooled) plus the evidence each had at its ``known_at``."""
    frame = judged.reset_index(drop=True)
    evidence = walk_forward_evidence(frame, frame, config).add_prefix("evidence_")
    return pd.concat([frame, evidence], axis=1)


def reliability_table(judged: pd.DataFrame, *, bucket_width: float = 5.0) -> pd.DataFrame:
    """Per (setup direction timeframe) and bucket, then one ``all`` row (:data:`REPORT_COLUMNS`)."""
    if judged.empty:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    frame = judged.assign(
        cls=judged["setup"].astype(str) + " " + judged["direction"].astype(str) + " " + judged["timeframe"].astype(str),
        low=bucket_low(judged["confidence"].to_numpy(np.float64), bucket_width),
    )
    rows = [_row(cls, f"{low:g}-{low + bucket_width:g}", part) for (cls, low), part in frame.groupby(["cls", "low"])]
    rows.append(_row("all", "all", frame))
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def _row(cls: str, bucket: str, part: pd.DataFrame) -> dict:
    resolved = part[part["status"].isin(FINAL)]
    hit = resolved["tp1_hit"].to_numpy(bool).astype(np.float64)
    predicted = resolved["evidence_rate"].to_numpy(np.float64)
    known = np.isfinite(predicted)
    return {
        "class": cls,
        "bucket": bucket,
        "signals": len(part),
        "resolved": len(resolved),
        "predicted": float(predicted[known].mean()) if known.any() else np.nan,
        "realised": float(hit.mean()) if len(hit) else np.nan,
        "brier": float(np.mean((predicted[known] - hit[known]) ** 2)) if known.any() else np.nan,
        "mean_r": float(resolved["r_after_costs"].mean()) if len(resolved) else np.nan,
    }


def format_table(table: pd.DataFrame) -> str:
    """The table as plain text (rates in %, R to two decimals, '-' where unknown)."""
    if table.empty:
        return "no signals in the period"
    shown = table.copy()
    for column in ("predicted", "realised"):
        shown[column] = [("-" if np.isnan(v) else f"{100 * v:.1f} %") for v in table[column]]
    shown["brier"] = ["-" if np.isnan(v) else f"{v:.3f}" for v in table["brier"]]
    shown["mean_r"] = ["-" if np.isnan(v) else f"{v:+.2f}" for v in table["mean_r"]]
    return shown.to_string(index=False)


def mirrored(signals: pd.DataFrame) -> pd.DataFrame:
    """The same trades the other way round: direction flipped, every level reflected through the entry."""
    out = signals.copy()
    out["direction"] = np.where(signals["direction"] == "LONG", "SHORT", "LONG")
    entry = signals["entry"].to_numpy(np.float64)
    for column in LEVEL_COLUMNS[1:]:
        out[column] = 2.0 * entry - signals[column].to_numpy(np.float64)
    return out


def random_entries(candles: pd.DataFrame, signals: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    """As many entries at random bars and sides (seeded), each at the bar's close with one real signal's
    stop distance and target multiples (as fractions of price), same setup and confidence."""
    rng = np.random.default_rng(seed)
    m = len(signals)
    close = candles["close"].to_numpy(np.float64)
    bars = np.sort(rng.integers(0, len(close), m))
    side = rng.choice([1.0, -1.0], m)
    entry = signals["entry"].to_numpy(np.float64)
    risk = np.abs(entry - signals["stop_loss"].to_numpy(np.float64)) / entry
    r1 = np.abs(signals["take_profit_1"].to_numpy(np.float64) - entry) / entry
    r2 = np.abs(signals["take_profit_2"].to_numpy(np.float64) - entry) / entry
    price = close[bars]
    out = signals.reset_index(drop=True).copy()
    out["confirmed"] = bars
    out["direction"] = np.where(side > 0, "LONG", "SHORT")
    out["entry"] = price
    out["stop_loss"] = price * (1 - side * risk)
    out["take_profit_1"] = price * (1 + side * r1)
    out["take_profit_2"] = price * (1 + side * r2)
    return out
