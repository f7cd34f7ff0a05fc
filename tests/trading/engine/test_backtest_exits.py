"""Backtester trade walking: entries, stops, targets, a candle touching both, partial exits, limits."""

import math

import numpy as np
import pandas as pd
import pytest

from trading.engine.backtest import BacktestConfig, run_backtest

# No costs: these tests are about which exit happens at which price. Risk 1 % of 10,000 = 100 per trade.
FREE = BacktestConfig(taker_fee=0.0, maker_fee=0.0, slippage_bps=0.0, funding_rate=0.0)
FLAT = (100.0, 100.5, 99.5, 100.0)


def bars(rows, start="2024-03-01 00:00", freq="5min") -> pd.DataFrame:
    index = pd.date_range(start, periods=len(rows), freq=freq, tz="UTC")
    return pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index, dtype=np.float64)


def signal(confirmed=0, direction="LONG", entry=100.0, stop=98.0, tp1=104.0, tp2=math.nan, confidence=80.0, setup="ob"):
    return {
        "confirmed": confirmed,
        "direction": direction,
        "entry": entry,
        "stop_loss": stop,
        "take_profit_1": tp1,
        "take_profit_2": tp2,
        "confidence": confidence,
        "setup": setup,
    }


def run(rows, signals, config=FREE, **kwargs):
    return run_backtest(bars(rows), pd.DataFrame(signals), config, **kwargs)


def test_a_long_that_reaches_its_target_makes_2r():
    result = run([FLAT, FLAT, (100.0, 102.0, 99.0, 101.0), (101.0, 104.5, 100.5, 104.0)], [signal()])
    trade = result.trades.iloc[0]
    assert trade["exit_reason"] == "tp1"
    assert trade["exit_price"] == 104.0
    assert trade["size"] == pytest.approx(50.0)  # 100 risked over a 2.00 stop distance
    assert trade["pnl"] == pytest.approx(200.0)
    assert trade["r_multiple"] == pytest.approx(2.0)
    assert trade["exit_time"] == pd.Timestamp("2024-03-01 00:15", tz="UTC")


def test_a_long_that_hits_its_stop_loses_1r():
    result = run([FLAT, FLAT, (100.0, 101.0, 97.9, 98.5)], [signal()])
    trade = result.trades.iloc[0]
    assert (trade["exit_reason"], trade["exit_price"]) == ("stop", 98.0)
    assert trade["pnl"] == pytest.approx(-100.0)
    assert trade["r_multiple"] == pytest.approx(-1.0)


def test_entry_is_the_next_bars_open_never_the_signal_bars_close():
    # The signal bar closes at 100 but the next bar opens at 101: that is the fill.
    result = run([FLAT, (101.0, 101.5, 100.5, 101.0), (101.0, 104.0, 101.0, 104.0)], [signal()])
    trade = result.trades.iloc[0]
    assert trade["entry_price"] == 101.0
    assert trade["entry_time"] == pd.Timestamp("2024-03-01 00:05", tz="UTC")
    assert trade["size"] == pytest.approx(100.0 / 3.0)  # the stop distance from the real fill is 3.00
    assert trade["pnl"] == pytest.approx(100.0 / 3.0 * 3.0)


def test_a_short_that_reaches_its_target():
    sig = signal(direction="SHORT", entry=100.0, stop=102.0, tp1=96.0)
    result = run([FLAT, FLAT, (100.0, 100.5, 95.5, 96.0)], [sig])
    trade = result.trades.iloc[0]
    assert (trade["side"], trade["exit_reason"], trade["exit_price"]) == ("SHORT", "tp1", 96.0)
    assert trade["pnl"] == pytest.approx(200.0)


BOTH = (100.0, 105.0, 97.0, 101.0)  # touches the 98 stop and the 104 target


def test_a_candle_touching_stop_and_target_counts_as_stopped_without_minute_data():
    result = run([FLAT, FLAT, BOTH], [signal()])
    assert result.trades["exit_reason"].tolist() == ["stop"]
    assert result.trades["pnl"].iloc[0] == pytest.approx(-100.0)


def minutes_inside_bar_2(path):
    """Five 1-minute candles inside the third 5-minute candle (00:10-00:15)."""
    return bars(path, start="2024-03-01 00:10", freq="1min")


def test_minute_data_decides_a_candle_touching_both_target_first():
    up_first = [
        (100, 104.5, 100, 104),
        (104, 105, 103, 103),
        (103, 103, 97, 97.5),
        (97.5, 100, 97.5, 100),
        (100, 101, 99, 101),
    ]
    result = run([FLAT, FLAT, BOTH, FLAT], [signal()], minute_candles=minutes_inside_bar_2(up_first))
    trade = result.trades.iloc[0]
    assert (trade["exit_reason"], trade["pnl"]) == ("tp1", pytest.approx(200.0))
    assert trade["exit_time"] == pd.Timestamp("2024-03-01 00:10", tz="UTC")


def test_minute_data_decides_a_candle_touching_both_stop_first():
    down_first = [
        (100, 100, 99, 99.5),
        (99.5, 99.5, 97, 97.5),
        (97.5, 105, 97.5, 104),
        (104, 104, 101, 101),
        (101, 101, 101, 101),
    ]
    result = run([FLAT, FLAT, BOTH, FLAT], [signal()], minute_candles=minutes_inside_bar_2(down_first))
    trade = result.trades.iloc[0]
    assert (trade["exit_reason"], trade["pnl"]) == ("stop", pytest.approx(-100.0))
    assert trade["exit_time"] == pd.Timestamp("2024-03-01 00:11", tz="UTC")


def test_an_opening_gap_through_the_stop_fills_at_the_open_not_the_stop():
    result = run([FLAT, FLAT, (96.0, 97.0, 95.0, 96.5)], [signal()])
    trade = result.trades.iloc[0]
    assert (trade["exit_reason"], trade["exit_price"]) == ("stop", 96.0)
    assert trade["r_multiple"] == pytest.approx(-2.0)


@pytest.mark.parametrize(
    ("next_open", "why"), [(97.5, "stop passed before entry"), (104.5, "target passed before entry")]
)
def test_no_entry_when_the_next_open_is_already_beyond_the_stop_or_target(next_open, why):
    result = run([FLAT, (next_open, next_open, next_open, next_open), FLAT], [signal()])
    assert result.trades.empty
    assert result.outcomes["status"].tolist() == [why]


def test_half_closes_at_tp1_then_the_rest_at_tp2():
    rows = [FLAT, FLAT, (100.0, 104.5, 100.0, 104.0), (104.0, 106.5, 103.0, 106.0)]
    trade = run(rows, [signal(tp2=106.0)]).trades.iloc[0]
    assert (trade["tp1_hit"], trade["tp1_price"], trade["tp1_fraction"]) == (True, 104.0, 0.5)
    assert (trade["exit_reason"], trade["exit_price"]) == ("tp2", 106.0)
    assert trade["pnl"] == pytest.approx(25 * 4.0 + 25 * 6.0)


def test_after_tp1_an_opening_gap_through_tp2_fills_the_rest_at_the_open():
    # TP1 on one bar; the next opens at 107, above TP2 (106): the limit fills at the better open price.
    rows = [FLAT, FLAT, (100.0, 104.5, 100.0, 104.0), (107.0, 108.0, 106.5, 107.5)]
    trade = run(rows, [signal(tp2=106.0)]).trades.iloc[0]
    assert (trade["tp1_hit"], trade["tp1_price"]) == (True, 104.0)
    assert (trade["exit_reason"], trade["exit_price"]) == ("tp2", 107.0)
    assert trade["pnl"] == pytest.approx(25 * 4.0 + 25 * 7.0)


def test_after_tp1_the_stop_moves_to_break_even():
    rows = [FLAT, FLAT, (100.0, 104.5, 100.5, 104.0), (104.0, 104.0, 99.0, 99.5)]
    trade = run(rows, [signal(tp2=106.0)]).trades.iloc[0]
    assert (trade["exit_reason"], trade["exit_price"]) == ("breakeven", 100.0)
    assert trade["pnl"] == pytest.approx(25 * 4.0)  # the runner gives back nothing, the half keeps 4.00


def test_without_break_even_the_runner_keeps_the_original_stop():
    rows = [FLAT, FLAT, (100.0, 104.5, 100.5, 104.0), (104.0, 104.0, 97.0, 97.5)]
    config = BacktestConfig(taker_fee=0, maker_fee=0, slippage_bps=0, funding_rate=0, breakeven_after_tp1=False)
    trade = run(rows, [signal(tp2=106.0)], config).trades.iloc[0]
    assert (trade["exit_reason"], trade["exit_price"]) == ("stop", 98.0)
    assert trade["pnl"] == pytest.approx(25 * 4.0 - 25 * 2.0)


def test_tp1_fraction_1_closes_everything_at_tp1():
    config = BacktestConfig(taker_fee=0, maker_fee=0, slippage_bps=0, funding_rate=0, tp1_fraction=1.0)
    trade = run([FLAT, FLAT, (100.0, 106.5, 100.0, 106.0)], [signal(tp2=106.0)], config).trades.iloc[0]
    assert (trade["exit_reason"], trade["exit_price"], trade["pnl"]) == ("tp1", 104.0, pytest.approx(200.0))


def test_break_even_is_active_from_the_next_bar_unless_minutes_show_the_order():
    # One candle reaches TP1 (104) and dips back to the entry (100): which came first is unknown.
    rows = [FLAT, FLAT, (100.0, 104.5, 99.8, 101.0), (101.0, 106.5, 100.5, 106.0)]
    coarse = run(rows, [signal(tp2=106.0)]).trades.iloc[0]
    assert coarse["exit_reason"] == "tp2"  # break-even not yet active in the TP1 candle
    tp1_then_dip = [
        (100, 104.5, 100, 104),
        (104, 104, 101, 101),
        (101, 101, 99.8, 100),
        (100, 101, 100, 101),
        (101, 101, 101, 101),
    ]
    fine = run(rows, [signal(tp2=106.0)], minute_candles=minutes_inside_bar_2(tp1_then_dip)).trades.iloc[0]
    assert (fine["exit_reason"], fine["pnl"]) == ("breakeven", pytest.approx(100.0))


def test_a_limit_entry_fills_at_the_signal_price_when_traded():
    config = BacktestConfig(taker_fee=0, maker_fee=0, slippage_bps=0, funding_rate=0, entry="limit")
    rows = [FLAT, (100.0, 100.5, 99.6, 100.2), (100.2, 100.3, 98.9, 99.5), (99.5, 103.2, 99.5, 103.0)]
    trade = run(rows, [signal(entry=99.0, stop=98.0, tp1=103.0)], config).trades.iloc[0]
    assert (trade["entry_price"], trade["entry_bar"]) == (99.0, 2)
    assert trade["size"] == pytest.approx(100.0)  # 100 risked over 1.00
    assert (trade["exit_reason"], trade["pnl"]) == ("tp1", pytest.approx(400.0))


def test_a_limit_entry_that_is_never_traded_expires():
    config = BacktestConfig(entry="limit", limit_valid_bars=2)
    rows = [FLAT, FLAT, FLAT, (100.0, 100.0, 98.9, 99.0)]
    result = run(rows, [signal(entry=99.0, stop=98.0, tp1=103.0)], config)
    assert result.trades.empty
    assert result.outcomes["status"].tolist() == ["limit not filled"]


def test_a_second_signal_while_a_position_is_open_is_skipped():
    rows = [FLAT, FLAT, FLAT, FLAT, (100.0, 104.5, 100.0, 104.0), FLAT]
    result = run(rows, [signal(confirmed=0), signal(confirmed=2)])
    assert result.trades["signal"].tolist() == [0]
    assert result.outcomes["skipped"].tolist() == ["", "position open"]
    both = run(rows, [signal(confirmed=0), signal(confirmed=2)], BacktestConfig(one_position=False))
    assert both.trades["signal"].tolist() == [0, 1]


def test_a_position_is_closed_after_max_holding_bars_at_the_close():
    config = BacktestConfig(taker_fee=0, maker_fee=0, slippage_bps=0, funding_rate=0, max_holding_bars=2)
    trade = run([FLAT, FLAT, (100.0, 101.0, 99.5, 100.8), FLAT], [signal()], config).trades.iloc[0]
    assert (trade["exit_reason"], trade["exit_price"], trade["bars_held"]) == ("timeout", 100.8, 2)
    assert trade["pnl"] == pytest.approx(50 * 0.8)


def test_a_position_still_open_at_the_end_closes_at_the_last_close():
    trade = run([FLAT, FLAT, (100.0, 101.0, 99.5, 100.6)], [signal()]).trades.iloc[0]
    assert (trade["exit_reason"], trade["exit_price"]) == ("end", 100.6)


def test_signals_with_levels_on_the_wrong_side_are_refused():
    result = run([FLAT, FLAT], [signal(stop=101.0)])
    assert result.trades.empty
    assert result.outcomes["status"].tolist() == ["invalid levels"]


def test_a_limit_fill_and_the_stop_in_the_same_candle_is_a_loss_but_a_target_there_waits_a_bar():
    config = BacktestConfig(taker_fee=0, maker_fee=0, slippage_bps=0, funding_rate=0, entry="limit")
    sig = signal(entry=99.0, stop=98.0, tp1=103.0)
    stopped = run([FLAT, (100.0, 100.5, 97.5, 98.5), FLAT], [sig], config).trades.iloc[0]
    assert (stopped["entry_price"], stopped["exit_reason"], stopped["pnl"]) == (99.0, "stop", pytest.approx(-100.0))
    # Fill at 99 and a high of 103.5 in one candle: the high may have come first, so no target yet.
    waited = run([FLAT, (100.0, 103.5, 98.9, 102.0), (102.0, 102.5, 101.0, 102.0)], [sig], config).trades.iloc[0]
    assert waited["exit_reason"] == "end"
