"""The vectorised walk-forward evidence gives what a plain per-signal computation gives."""

import math

import numpy as np
import pandas as pd
import pytest

from trading.engine.evidence import Z95, EvidenceConfig, walk_forward_evidence

T0 = pd.Timestamp("2024-01-01", tz="UTC")
LEVEL_KEYS = (("setup", "direction", "timeframe", "bucket"), ("setup", "direction", "timeframe"),
              ("setup", "direction"), ("direction",), ())  # fmt: skip


def random_rows(rng, n):
    return pd.DataFrame({
        "setup": rng.choice(["fvg", "ob", "sweep"], n), "direction": rng.choice(["LONG", "SHORT"], n),
        "timeframe": rng.choice(["1m", "15m", "1h"], n), "confidence": rng.integers(50, 101, n).astype(float),
    })  # fmt: skip


def seeded_history_and_signals(seed):
    rng = np.random.default_rng(seed)
    history = random_rows(rng, 4000)
    # Whole hours over a short span: many outcomes share a time, and signals fall on the same times.
    history["resolved_at"] = T0 + pd.to_timedelta(rng.integers(0, 300, len(history)), unit="h")
    history.loc[rng.random(len(history)) < 0.05, "resolved_at"] = pd.NaT  # not final: never counted
    history["tp1_hit"] = rng.random(len(history)) < 0.45
    history["r_after_costs"] = np.where(history["tp1_hit"], rng.uniform(0.5, 3, len(history)), -1.0)
    signals = random_rows(rng, 2000)
    signals["known_at"] = T0 + pd.to_timedelta(rng.integers(-5, 320, len(signals)), unit="h")
    return history, signals


def reference(history, signals, min_samples, width=5.0):
    """Per signal: outcomes resolved strictly before it, in its class at each level; the first level
    with enough of them, else the level with the most."""
    past = history[history["resolved_at"].notna()]
    columns = {key: past[key].to_numpy() for key in ("setup", "direction", "timeframe")}
    columns["bucket"] = np.minimum(np.floor(past["confidence"].to_numpy() / width) * width, 100 - width)
    tp1, r = past["tp1_hit"].to_numpy(), past["r_after_costs"].to_numpy()
    rows = []
    for signal in signals.itertuples(index=False):
        bucket = min(math.floor(signal.confidence / width) * width, 100 - width)
        values = {"setup": signal.setup, "direction": signal.direction, "timeframe": signal.timeframe,
                  "bucket": bucket}  # fmt: skip
        known = (past["resolved_at"] < signal.known_at).to_numpy()  # strictly before the signal
        for level, keys in enumerate(LEVEL_KEYS):
            pool = known.copy()
            for key in keys:
                pool &= columns[key] == values[key]
            if pool.sum() >= min_samples or level == len(LEVEL_KEYS) - 1:
                break
        words = [f"{bucket:g}-{bucket + width:g}" if key == "bucket" else values[key] for key in keys]
        n, hits = int(pool.sum()), int(tp1[pool].sum())
        rows.append({"n": n, "hits": hits, "level": level, "label": " ".join(words) or "all signals",
                     "rate": hits / n if n else math.nan, "mean_r": r[pool].mean() if n else math.nan,
                     **wilson(hits, n)})  # fmt: skip
    return pd.DataFrame(rows)


def wilson(hits, n, z=Z95):
    if n == 0:
        return {"low": math.nan, "high": math.nan}
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return {"low": max(centre - half, 0.0), "high": min(centre + half, 1.0)}


@pytest.mark.parametrize(("seed", "min_samples"), [(1, 1), (2, 10), (3, 30), (4, 200), (5, 5000)])
def test_vectorised_evidence_equals_the_plain_per_signal_computation(seed, min_samples):
    history, signals = seeded_history_and_signals(seed)
    got = walk_forward_evidence(history, signals, EvidenceConfig(min_samples=min_samples))
    want = reference(history, signals, min_samples)
    assert got["level"].nunique() > 1 or min_samples in (1, 5000)  # the fall-backs are exercised
    assert got["n"].tolist() == want["n"].tolist() and got["hits"].tolist() == want["hits"].tolist()
    assert got["level"].tolist() == want["level"].tolist() and got["label"].tolist() == want["label"].tolist()
    for column in ("rate", "mean_r", "low", "high"):
        np.testing.assert_allclose(got[column], want[column], rtol=1e-9, atol=1e-12, equal_nan=True)
