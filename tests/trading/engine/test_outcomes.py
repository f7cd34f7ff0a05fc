"""A signal's outcome from later candles: TP1, TP2, stopped, expired, open or void, and its R after costs."""

import numpy as np
import pandas as pd
import pytest

from trading.engine.outcomes import OutcomeConfig, signal_outcomes

FEE, SLIP = 0.0005, 0.0001  # the backtester's taker fee and 1 bp slippage


def market(bars):
    """(open, high, low, close) rows of 1-hour candles."""
    index = pd.date_range("2024-01-01", periods=len(bars), freq="1h", tz="UTC")
    return pd.DataFrame(np.array(bars, dtype=float), columns=["open", "high", "low", "close"], index=index)


def long_at_bar_0(**levels):
    row = {"confirmed": 0, "direction": "LONG", "entry": 100.0, "stop_loss": 99.0, "take_profit_1": 102.0,
           "take_profit_2": 103.0, "confidence": 80.0}  # fmt: skip
    row.update(levels)
    return pd.DataFrame([row])


def test_a_long_that_reaches_both_targets_is_tp2_known_at_the_close_of_the_bar_that_hit_tp2():
    candles = market([(100, 100, 100, 100), (100, 102.5, 99.8, 102), (102, 103.2, 101.5, 103), (103, 104, 103, 104)])
    out = signal_outcomes(candles, long_at_bar_0()).iloc[0]
    entry = 100.0 * (1 + SLIP)
    gross = 0.5 * (102 - entry) + 0.5 * (103 - entry)
    fees = FEE * entry + 0.5 * FEE * 102 + 0.5 * FEE * 103  # taker both ways, targets included
    assert out["status"] == "tp2" and out["tp1_hit"]
    assert out["resolved_at"] == candles.index[2] + pd.Timedelta(hours=1)
    assert out["r_after_costs"] == pytest.approx((gross - fees) / (entry - 99.0))


def test_a_long_whose_stop_comes_first_is_stopped_and_loses_a_little_more_than_1_r():
    candles = market([(100, 100, 100, 100), (100, 100.5, 98.5, 99), (99, 104, 99, 103.5)])
    out = signal_outcomes(candles, long_at_bar_0()).iloc[0]
    entry, exit_ = 100.0 * (1 + SLIP), 99.0 * (1 - SLIP)
    assert out["status"] == "stopped" and not out["tp1_hit"]
    assert out["resolved_at"] == candles.index[1] + pd.Timedelta(hours=1)
    assert out["r_after_costs"] == pytest.approx((exit_ - entry - FEE * (entry + exit_)) / (entry - 99.0))
    assert out["r_after_costs"] < -1.0


def test_tp1_then_break_even_is_a_tp1_outcome_with_a_positive_r():
    candles = market([(100, 100, 100, 100), (100, 102.2, 99.9, 101), (101, 101, 99.5, 99.6)])
    out = signal_outcomes(candles, long_at_bar_0()).iloc[0]
    assert out["status"] == "tp1" and out["tp1_hit"]
    assert out["r_after_costs"] > 0.8


def test_neither_target_nor_stop_within_the_expiry_is_expired_at_the_close_of_the_last_allowed_bar():
    candles = market([(100, 100, 100, 100)] + [(100, 100.5, 99.5, 100.2)] * 6)
    out = signal_outcomes(candles, long_at_bar_0(), OutcomeConfig(expiry_bars=3)).iloc[0]
    assert out["status"] == "expired"
    assert out["resolved_at"] == candles.index[3] + pd.Timedelta(hours=1)
    assert np.isfinite(out["r_after_costs"])


def test_a_signal_still_running_at_the_last_candle_is_open_without_r_even_after_tp1():
    candles = market([(100, 100, 100, 100), (100, 102.2, 99.9, 101.5), (101.5, 102, 101, 101.8)])
    out = signal_outcomes(candles, long_at_bar_0()).iloc[0]
    assert out["status"] == "open" and out["tp1_hit"]
    assert pd.isna(out["resolved_at"]) and np.isnan(out["r_after_costs"])
    fresh = signal_outcomes(candles.iloc[:1], long_at_bar_0()).iloc[0]  # no bar after it yet
    assert fresh["status"] == "open"


def test_a_short_mirrors_a_long_and_a_gap_through_the_stop_before_entry_is_void():
    candles = market([(100, 100, 100, 100), (100, 100.2, 97.5, 98), (98, 98.5, 96.8, 97)])
    short = long_at_bar_0(direction="SHORT", stop_loss=101.0, take_profit_1=98.0, take_profit_2=97.0)
    assert signal_outcomes(candles, short).iloc[0]["status"] == "tp2"
    gapped = market([(100, 100, 100, 100), (98.8, 99, 98, 98.5)])
    assert signal_outcomes(gapped, long_at_bar_0()).iloc[0]["status"] == "void"


def test_no_signals_gives_an_empty_frame_with_the_columns():
    candles = market([(100, 100, 100, 100)] * 3)
    out = signal_outcomes(candles, long_at_bar_0().iloc[:0])
    assert out.empty and list(out.columns) == ["status", "tp1_hit", "resolved_bar", "resolved_at", "r_after_costs",
                                               "entry_fill"]  # fmt: skip


def test_the_round_trip_cost_is_taker_fees_both_ways_plus_slippage_both_ways():
    assert OutcomeConfig().round_trip_cost() == pytest.approx(2 * FEE + 2 * SLIP)
