"""Synthetic candles: seeded, well-formed, and with the statistics of a real perpetual."""

import numpy as np
import pandas as pd
import pytest

from trading.engine.synthetic import generate_candles, resample


def test_same_seed_same_candles_and_other_seed_other_candles():
    a = generate_candles(500, seed=42)
    pd.testing.assert_frame_equal(a, generate_candles(500, seed=42))
    assert not a.equals(generate_candles(500, seed=43))


def test_well_formed_ohlcv_on_a_utc_grid():
    frame = generate_candles(1000, seed=1, timeframe="15m", start="2024-03-01")
    assert list(frame.columns) == ["open", "high", "low", "close", "volume"]
    assert (frame.dtypes == np.float64).all()
    assert str(frame.index.tz) == "UTC" and frame.index[0] == pd.Timestamp("2024-03-01", tz="UTC")
    assert (frame.index[1:] - frame.index[:-1] == pd.Timedelta(minutes=15)).all()
    assert (frame["high"] >= frame[["open", "close"]].max(axis=1)).all()
    assert (frame["low"] <= frame[["open", "close"]].min(axis=1)).all()
    assert (frame["low"] > 0).all() and (frame["volume"] > 0).all()
    assert (frame["open"].iloc[1:].to_numpy() == frame["close"].iloc[:-1].to_numpy()).all()


def test_fat_tails_and_volatility_clustering():
    r = np.diff(np.log(generate_candles(50_000, seed=7)["close"].to_numpy()))
    z = (r - r.mean()) / r.std()
    assert (z**4).mean() > 4.5  # excess kurtosis: a normal distribution has 3
    a = np.abs(r)
    lag1 = np.corrcoef(a[:-1], a[1:])[0, 1]
    assert lag1 > 0.1  # big moves follow big moves
    assert abs(np.corrcoef(r[:-1], r[1:])[0, 1]) < 0.05  # but no free lunch in the direction


def test_volume_rises_with_the_size_of_the_move():
    frame = generate_candles(20_000, seed=3)
    move = (frame["close"] / frame["open"] - 1).abs()
    assert frame["volume"][move > move.quantile(0.9)].mean() > 1.5 * frame["volume"][move < move.quantile(0.5)].mean()


def test_tick_grid_makes_equal_prices():
    frame = generate_candles(2000, seed=2, tick=0.05)
    ticks = frame[["open", "high", "low", "close"]].to_numpy() / 0.05
    assert np.allclose(ticks, np.round(ticks))
    assert frame["high"].duplicated().any()


def test_resample_keeps_only_complete_higher_candles():
    minutes = generate_candles(200, seed=1, timeframe="1m", start="2024-01-01 00:07")
    quarter = resample(minutes, "15m")
    # 00:07 .. 03:26: the 00:00 bucket lacks its first 7 minutes and the 03:15 one its last 4
    assert quarter.index[0] == pd.Timestamp("2024-01-01 00:15", tz="UTC")
    assert quarter.index[-1] == pd.Timestamp("2024-01-01 03:00", tz="UTC")
    first = minutes.loc["2024-01-01 00:15":"2024-01-01 00:29"]
    assert quarter.iloc[0].tolist() == pytest.approx(
        [first["open"].iloc[0], first["high"].max(), first["low"].min(), first["close"].iloc[-1], first["volume"].sum()]
    )
