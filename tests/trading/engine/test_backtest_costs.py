"""Backtester money: fees, slippage and funding to the cent, sizing by risk with the leverage cap."""

import math

import numpy as np
import pandas as pd
import pytest

from trading.engine.backtest import BacktestConfig, funding_by_bar, run_backtest

FLAT = (100.0, 100.5, 99.5, 100.0)
CENT = 1e-6  # hand values below are exact; this is far finer than a cent


def bars(rows, start="2024-03-01 00:00", freq="5min") -> pd.DataFrame:
    index = pd.date_range(start, periods=len(rows), freq=freq, tz="UTC")
    return pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index, dtype=np.float64)


def signal(direction="LONG", entry=100.0, stop=98.0, tp1=104.0, confirmed=0):
    return {
        "confirmed": confirmed,
        "direction": direction,
        "entry": entry,
        "stop_loss": stop,
        "take_profit_1": tp1,
        "take_profit_2": math.nan,
        "confidence": 80.0,
        "setup": "ob",
    }


COSTS = BacktestConfig(taker_fee=0.0005, maker_fee=0.0002, slippage_bps=10.0, funding_rate=0.0)


def test_a_stopped_long_pays_taker_fees_and_slippage_both_ways():
    # Fill 100 * 1.001 = 100.10; stop 98.10 -> risk 2.00 -> 50 units; stop fill 98.10 * 0.999 = 98.0019.
    trade = run_backtest(
        bars([FLAT, FLAT, (100.0, 100.2, 98.0, 98.3)]), pd.DataFrame([signal(stop=98.1, tp1=104.1)]), COSTS
    ).trades.iloc[0]
    assert trade["entry_price"] == pytest.approx(100.1)
    assert trade["exit_price"] == pytest.approx(98.0019)
    assert trade["size"] == pytest.approx(50.0)
    assert trade["gross_pnl"] == pytest.approx(50 * (98.0019 - 100.1), abs=CENT)  # -104.905
    assert trade["fees"] == pytest.approx(50 * 100.1 * 0.0005 + 50 * 98.0019 * 0.0005, abs=CENT)  # 2.5025 + 2.4500475
    assert trade["pnl"] == pytest.approx(-109.8575475, abs=CENT)


def test_a_target_is_a_limit_fill_maker_fee_no_slippage():
    trade = run_backtest(
        bars([FLAT, FLAT, (100.0, 104.2, 100.0, 104.0)]), pd.DataFrame([signal(stop=98.1, tp1=104.1)]), COSTS
    ).trades.iloc[0]
    assert trade["exit_price"] == 104.1
    assert trade["fees"] == pytest.approx(2.5025 + 50 * 104.1 * 0.0002, abs=CENT)  # 2.5025 + 1.041
    assert trade["pnl"] == pytest.approx(200.0 - 3.5435, abs=CENT)  # 196.4565


def test_slippage_works_against_a_short_too():
    # Sell at 100 * 0.999 = 99.90; stop 101.90 -> 50 units; buy back at 101.90 * 1.001 = 102.0019.
    sig = signal(direction="SHORT", stop=101.9, tp1=95.9)
    trade = run_backtest(bars([FLAT, FLAT, (100.0, 102.0, 99.8, 101.5)]), pd.DataFrame([sig]), COSTS).trades.iloc[0]
    assert (trade["entry_price"], trade["exit_price"]) == (pytest.approx(99.9), pytest.approx(102.0019))
    assert trade["pnl"] == pytest.approx(50 * (99.9 - 102.0019) - 2.4975 - 2.5500475, abs=CENT)  # -110.1425475


HOURLY_FLAT = [FLAT] * 11  # 06:00 ... 16:00


def hourly(rows):
    return bars(rows, start="2024-03-01 06:00", freq="1h")


def funded_run(rows, sig, funding=None, rate=0.0001):
    config = BacktestConfig(taker_fee=0.0, maker_fee=0.0, slippage_bps=0.0, funding_rate=rate)
    return run_backtest(hourly(rows), pd.DataFrame([sig]), config, funding=funding).trades.iloc[0]


def test_a_long_pays_funding_at_each_8_hour_mark_it_holds():
    # Entry 07:00, exit 17:00: held over 08:00 and 16:00 at an open of 100 -> 2 * 50 * 100 * 0.0001
    trade = funded_run([*HOURLY_FLAT, (100.0, 104.5, 100.0, 104.0)], signal())
    assert trade["funding"] == pytest.approx(-1.0, abs=CENT)
    assert trade["pnl"] == pytest.approx(200.0 - 1.0, abs=CENT)


def test_a_short_receives_a_positive_funding_rate():
    trade = funded_run([*HOURLY_FLAT, (100.0, 100.0, 95.5, 96.0)], signal("SHORT", stop=102.0, tp1=96.0))
    assert trade["funding"] == pytest.approx(+1.0, abs=CENT)


def test_funding_uses_the_price_at_the_funding_time_and_ends_with_the_trade():
    rows = [FLAT, FLAT, (101.0, 101.5, 100.5, 101.0), (101.0, 104.5, 101.0, 104.0), *HOURLY_FLAT]
    trade = funded_run(rows, signal())  # 08:00 opens at 101; the trade is gone before 16:00
    assert trade["funding"] == pytest.approx(-50 * 101 * 0.0001, abs=CENT)  # -0.505


def test_a_position_opened_at_the_funding_time_does_not_pay_it():
    trade = funded_run([*HOURLY_FLAT, (100.0, 104.5, 100.0, 104.0)], signal(confirmed=1))  # entry at 08:00
    assert trade["funding"] == pytest.approx(-0.5, abs=CENT)  # only 16:00


def test_a_funding_rate_series_is_charged_with_its_sign():
    rates = pd.Series([0.0003, -0.0002], index=pd.to_datetime(["2024-03-01 08:00", "2024-03-01 16:00"], utc=True))
    trade = funded_run([*HOURLY_FLAT, (100.0, 104.5, 100.0, 104.0)], signal(), funding=rates)
    assert trade["funding"] == pytest.approx(-50 * 100 * 0.0003 + 50 * 100 * 0.0002, abs=CENT)  # -1.5 + 1.0


def test_funding_times_fall_on_the_first_bar_opening_at_or_after_them():
    index = pd.date_range("2024-03-01 07:30", periods=4, freq="20min", tz="UTC")  # 07:30 07:50 08:10 08:30
    assert funding_by_bar(index, 0.0001).tolist() == [0.0, 0.0, 0.0001, 0.0]


def test_size_risks_the_configured_share_of_equity():
    config = BacktestConfig(risk_per_trade=0.02, taker_fee=0.0, maker_fee=0.0, slippage_bps=0.0, funding_rate=0.0)
    trade = run_backtest(bars([FLAT, FLAT, (100.0, 100.5, 97.0, 97.5)]), pd.DataFrame([signal()]), config).trades
    assert trade["size"].iloc[0] == pytest.approx(100.0)  # 2 % of 10,000 over a 2.00 stop
    assert trade["pnl"].iloc[0] == pytest.approx(-200.0)


def test_a_tight_stop_is_capped_by_the_leverage_limit():
    config = BacktestConfig(max_leverage=10.0, taker_fee=0.0, maker_fee=0.0, slippage_bps=0.0, funding_rate=0.0)
    result = run_backtest(bars([FLAT, FLAT, FLAT]), pd.DataFrame([signal(stop=99.95, tp1=100.1)]), config)
    trade = result.trades.iloc[0]
    assert trade["notional"] == pytest.approx(100_000.0)  # 10x of 10,000, not the 200,000 the risk rule asks
    assert trade["size"] == pytest.approx(1_000.0)


def test_the_next_trade_is_sized_on_the_equity_after_the_last():
    config = BacktestConfig(taker_fee=0.0, maker_fee=0.0, slippage_bps=0.0, funding_rate=0.0)
    win = (100.0, 104.5, 100.0, 104.0)
    rows = [FLAT, FLAT, win, FLAT, (100.0, 100.5, 97.0, 97.5)]
    trades = run_backtest(bars(rows), pd.DataFrame([signal(), signal(confirmed=2)]), config).trades
    assert trades["equity_before"].tolist() == [10_000.0, 10_200.0]
    assert trades["size"].tolist() == [pytest.approx(50.0), pytest.approx(51.0)]
