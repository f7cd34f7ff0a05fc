"""No look-ahead: an alert at bar t is the same whether or not later candles exist."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.engine.sniper import SniperConfig, detect

# Lower thresholds than production so short random series produce alerts to compare.
CONFIG = SniperConfig(pump_pct=1.5, dump_pct=-2.0, min_cleared_pct=20.0, rearm_quiet_bars=4)


def random_minutes(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    returns = rng.standard_t(3, n) * 0.002
    jumps = rng.random(n) < 0.03
    returns[jumps] += rng.choice([0.012, -0.015], jumps.sum())
    close = 100.0 * np.exp(np.cumsum(returns))
    open_ = np.concatenate(([100.0], close[:-1]))
    high = np.maximum(open_, close) * (1 + rng.exponential(0.0008, n))
    low = np.minimum(open_, close) * (1 - rng.exponential(0.0008, n))
    index = pd.date_range("2024-03-01", periods=n, freq="1min", tz="UTC")
    keep = rng.random(n) > 0.05  # a few missing minutes: the window is a time window
    frame = pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": rng.lognormal(2.0, 1.0, n)}, index=index
    )
    return frame[keep]


def assert_prefix_consistent(candles: pd.DataFrame, k: int) -> None:
    full = detect(candles, CONFIG, symbol="X")
    prefix = detect(candles.iloc[:k], CONFIG, symbol="X")
    expected = full[full["bar"] < k].reset_index(drop=True)
    pd.testing.assert_frame_equal(prefix.reset_index(drop=True), expected)


def test_the_seeded_series_has_alerts_and_every_prefix_agrees():
    candles = random_minutes(1, 600)
    alerts = detect(candles, CONFIG)
    assert len(alerts) >= 5
    for k in sorted({*alerts["bar"].tolist(), *(alerts["bar"] + 1).tolist(), 1, 50, 333}):
        assert_prefix_consistent(candles, k)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(20, 400), cut=st.floats(0.05, 1.0))
def test_appending_candles_never_changes_an_earlier_alert(seed, n, cut):
    candles = random_minutes(seed, n)
    assert_prefix_consistent(candles, max(1, int(len(candles) * cut)))
