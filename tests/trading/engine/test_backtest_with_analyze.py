"""The backtester on the ICT engine's own output."""

import numpy as np

from trading import engine
from trading.engine import synthetic
from trading.engine.backtest import run_backtest


def test_real_signals_are_entered_after_their_confirmation_and_calibrated_by_setup():
    candles = synthetic.generate_candles(5_000, seed=11, timeframe="5m")
    signals = engine.analyze(candles).signals
    result = run_backtest(candles, signals)

    assert len(signals) > 0 and result.stats.trades > 0
    confirmed = signals["confirmed"].to_numpy()[result.trades["signal"].to_numpy()]
    assert (result.trades["entry_bar"].to_numpy() == confirmed + 1).all()  # the next bar's open
    opens = candles["open"].to_numpy()[result.trades["entry_bar"].to_numpy()]
    assert np.allclose(result.trades["entry_price"], opens * np.where(result.trades["side"] == "LONG", 1.0001, 0.9999))
    assert set(result.calibration["setup"]) <= set(signals["setup"].astype(str))
    assert result.calibration["cases"].sum() == result.outcomes["resolved"].sum()
