"""The quality report: predicted vs realised TP1 rates, Brier score and mean R; the two baselines."""

import numpy as np
import pandas as pd
import pytest

from trading.engine.reliability import format_table, mirrored, random_entries, reliability_table


def judged(rows):
    return pd.DataFrame(rows, columns=["setup", "direction", "timeframe", "confidence", "status", "tp1_hit",
                                       "r_after_costs", "evidence_rate"])  # fmt: skip


def test_rates_brier_and_mean_r_per_bucket_count_only_resolved_signals():
    table = reliability_table(judged([
        ("fvg", "LONG", "1h", 80, "tp2", True, 2.0, 0.5),
        ("fvg", "LONG", "1h", 82, "stopped", False, -1.0, 0.5),
        ("fvg", "LONG", "1h", 84, "open", False, np.nan, 0.9),  # unresolved: counted as a signal only
        ("fvg", "LONG", "1h", 91, "tp1", True, 0.5, np.nan),  # no evidence yet: no prediction
    ]))  # fmt: skip
    row = table.iloc[0]
    assert (row["class"], row["bucket"], row["signals"], row["resolved"]) == ("fvg LONG 1h", "80-85", 3, 2)
    assert row["predicted"] == 0.5 and row["realised"] == 0.5 and row["brier"] == 0.25
    assert row["mean_r"] == pytest.approx(0.5)
    assert np.isnan(table.iloc[1]["predicted"]) and table.iloc[1]["realised"] == 1.0
    total = table.iloc[-1]
    assert total["class"] == "all" and total["signals"] == 4 and total["resolved"] == 3
    text = format_table(table)
    assert "fvg LONG 1h" in text and "50.0 %" in text and "+0.50" in text


def test_mirrored_trades_flip_the_side_and_reflect_the_levels_through_the_entry():
    sig = pd.DataFrame([{"direction": "LONG", "entry": 100.0, "stop_loss": 99.0, "take_profit_1": 102.0,
                         "take_profit_2": 103.0}])  # fmt: skip
    m = mirrored(sig).iloc[0]
    assert (m["direction"], m["stop_loss"], m["take_profit_1"], m["take_profit_2"]) == ("SHORT", 101.0, 98.0, 97.0)


def test_random_entries_are_seeded_and_keep_each_signals_stop_distance():
    candles = pd.DataFrame({"close": np.linspace(100, 200, 50)})
    sig = pd.DataFrame([{"confirmed": 3, "direction": "LONG", "entry": 100.0, "stop_loss": 98.0,
                         "take_profit_1": 104.0, "take_profit_2": 106.0, "confidence": 80}] * 5)  # fmt: skip
    a, b = random_entries(candles, sig, seed=1), random_entries(candles, sig, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert np.allclose(np.abs(a["entry"] - a["stop_loss"]) / a["entry"], 0.02)
    assert np.allclose(np.abs(a["take_profit_1"] - a["entry"]) / a["entry"], 0.04)
