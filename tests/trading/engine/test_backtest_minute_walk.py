"""Walking only the ambiguous 5-minute candles on their minutes gives the trades of a full 1-minute walk."""

import numpy as np
import pandas as pd
import pytest

from trading.engine.backtest import BacktestConfig, run_backtest


def gapless_minutes(seed: int, n: int = 3 * 1440) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.standard_t(4, n) * 0.001))
    open_ = np.concatenate(([100.0], close[:-1]))  # each minute opens at the last close: no gaps
    high = np.maximum(open_, close) * (1 + rng.exponential(0.0004, n))
    low = np.minimum(open_, close) * (1 - rng.exponential(0.0004, n))
    index = pd.date_range("2024-03-01", periods=n, freq="1min", tz="UTC")
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close}, index=index)


def random_signals(candles: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    bars = np.sort(rng.choice(len(candles) - 1, size=60, replace=False))
    side = rng.choice([1.0, -1.0], len(bars))
    entry = candles["close"].to_numpy()[bars]
    risk = entry * rng.uniform(0.0005, 0.002, len(bars))
    return pd.DataFrame(
        {
            "confirmed": bars,
            "direction": np.where(side > 0, "LONG", "SHORT"),
            "entry": entry,
            "stop_loss": entry - side * risk,
            "take_profit_1": entry + 2 * side * risk,
            "take_profit_2": entry + 3 * side * risk,
            "confidence": 80.0,
        }
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_five_minute_candles_with_a_minute_walk_trade_like_the_minutes_themselves(seed):
    minutes = gapless_minutes(seed)
    fives = minutes.resample("5min").agg({"open": "first", "high": "max", "low": "min", "close": "last"})
    signals = random_signals(fives, seed)
    on_minutes = signals.assign(confirmed=signals["confirmed"] * 5 + 4)  # the last minute of each 5m candle
    config = BacktestConfig(one_position=False)

    fine = run_backtest(minutes, on_minutes, config).trades
    walked = run_backtest(fives, signals, config, minute_candles=minutes).trades
    coarse = run_backtest(fives, signals, config).trades

    assert walked["exit_reason"].tolist() == fine["exit_reason"].tolist()
    assert walked["exit_price"].to_numpy() == pytest.approx(fine["exit_price"].to_numpy())
    assert walked["pnl"].to_numpy() == pytest.approx(fine["pnl"].to_numpy())
    # Not vacuous: without the minutes some candles touching stop and target are decided differently.
    assert coarse["pnl"].to_numpy() != pytest.approx(fine["pnl"].to_numpy())
