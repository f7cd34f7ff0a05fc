"""A backtest never uses the future: cutting the candles off never changes a trade that closed before the cut."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.engine.backtest import BacktestConfig, run_backtest


def market(seed: int, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.standard_t(4, n) * 0.003))
    open_ = np.concatenate(([100.0], close[:-1])) * (1 + rng.normal(0, 0.0005, n))  # small gaps too
    high = np.maximum(open_, close) * (1 + rng.exponential(0.001, n))
    low = np.minimum(open_, close) * (1 - rng.exponential(0.001, n))
    index = pd.date_range("2024-03-01", periods=n, freq="1h", tz="UTC")
    candles = pd.DataFrame({"open": open_, "high": high, "low": low, "close": close}, index=index)
    bars = np.flatnonzero(rng.random(n) < 0.15)
    side = rng.choice([1.0, -1.0], len(bars))
    risk = close[bars] * rng.uniform(0.003, 0.02, len(bars))
    signals = pd.DataFrame(
        {
            "confirmed": bars,
            "direction": np.where(side > 0, "LONG", "SHORT"),
            "entry": close[bars],
            "stop_loss": close[bars] - side * risk,
            "take_profit_1": close[bars] + 2 * side * risk,
            "take_profit_2": close[bars] + 3 * side * risk,
            "confidence": rng.integers(50, 100, len(bars)).astype(float),
        }
    )
    return candles, signals


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(30, 300),
    cut=st.floats(0.1, 0.95),
    entry=st.sampled_from(["market", "limit"]),
    one_position=st.booleans(),
)
def test_trades_closed_before_the_last_candle_are_the_same_with_or_without_later_candles(
    seed, n, cut, entry, one_position
):
    candles, signals = market(seed, n)
    k = max(2, int(n * cut))
    config = BacktestConfig(entry=entry, one_position=one_position, max_holding_bars=40)
    full = run_backtest(candles, signals, config).trades.set_index("signal")
    part = run_backtest(candles.iloc[:k], signals[signals["confirmed"] < k], config).trades.set_index("signal")

    closed = part[part["exit_reason"] != "end"]
    pd.testing.assert_frame_equal(closed, full.loc[closed.index])
    # Everything the cut run took, the full run took too; what it left open, it closes at the last close.
    assert set(part.index) <= set(full.index)
    assert (part.loc[part["exit_reason"] == "end", "exit_bar"] == k - 1).all()
