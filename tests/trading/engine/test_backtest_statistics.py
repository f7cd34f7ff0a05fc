"""Backtest statistics on tiny trade lists and equity curves worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from trading.engine.backtest import (
    BacktestConfig,
    expectancy,
    exposure,
    max_drawdown,
    periods_per_year,
    profit_factor,
    run_backtest,
    sharpe_ratio,
    win_rate,
)

FLAT = (100.0, 100.5, 99.5, 100.0)
WIN = (100.0, 104.5, 100.0, 104.0)
LOSS = (100.0, 100.5, 97.5, 98.0)
FREE = BacktestConfig(taker_fee=0.0, maker_fee=0.0, slippage_bps=0.0, funding_rate=0.0)


def test_win_rate_profit_factor_and_expectancy_of_a_known_list():
    pnl = [100.0, -50.0, 200.0, -50.0]
    assert win_rate(pnl) == 0.5
    assert profit_factor(pnl) == 3.0  # 300 won / 100 lost
    assert expectancy(pnl) == 50.0


def test_profit_factor_without_losses_is_infinite_and_without_trades_undefined():
    assert profit_factor([10.0, 5.0]) == math.inf
    assert math.isnan(profit_factor([]))
    assert math.isnan(win_rate([]))


def test_max_drawdown_is_the_deepest_fall_from_a_running_peak():
    fraction, amount = max_drawdown([100.0, 120.0, 90.0, 130.0, 117.0])
    assert fraction == pytest.approx(0.25)  # 120 -> 90; the later 130 -> 117 is only 10 %
    assert amount == pytest.approx(30.0)


def test_sharpe_is_annualised_from_the_bar_frequency():
    # Returns +10 %, -10 %, +10 %: mean 1/30, sample sd 2/(10 * sqrt(3)) * sqrt(... ) -> ratio 1 / (2 * sqrt(3))
    equity = [100.0, 110.0, 99.0, 108.9]
    assert sharpe_ratio(equity, 4.0) == pytest.approx(1 / math.sqrt(3))
    assert periods_per_year(pd.date_range("2024-01-01", periods=3, freq="5min", tz="UTC")) == 105_120
    assert periods_per_year(pd.date_range("2024-01-01", periods=3, freq="1min", tz="UTC")) == 525_600
    assert math.isnan(sharpe_ratio([100.0, 100.0, 100.0], 4.0))


def test_exposure_counts_bars_with_a_position_once():
    assert exposure(np.array([1, 2, 7]), np.array([3, 4, 7]), 10) == pytest.approx(0.5)  # bars 1-4 and 7


def test_a_run_of_win_loss_win_gives_the_hand_computed_figures():
    # Trade 1: +2.00 on 50 units = +200. Trade 2 risks 1 % of 10,200 = 102 and loses it.
    # Trade 3 risks 1 % of 10,098 = 100.98 and wins 2R = 201.96.
    rows = [FLAT, FLAT, WIN, FLAT, LOSS, FLAT, WIN]
    signals = pd.DataFrame(
        [
            {
                "confirmed": c,
                "direction": "LONG",
                "entry": 100.0,
                "stop_loss": 98.0,
                "take_profit_1": 104.0,
                "take_profit_2": math.nan,
                "confidence": 80.0,
            }
            for c in (0, 2, 4)
        ]
    )
    index = pd.date_range("2024-03-01", periods=len(rows), freq="5min", tz="UTC")
    result = run_backtest(pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index), signals, FREE)

    assert result.trades["pnl"].tolist() == [pytest.approx(200.0), pytest.approx(-102.0), pytest.approx(201.96)]
    assert result.equity.tolist() == pytest.approx([10_000, 10_000, 10_200, 10_200, 10_098, 10_098, 10_299.96])
    stats = result.stats
    assert (stats.trades, stats.wins, stats.losses) == (3, 2, 1)
    assert stats.win_rate == pytest.approx(2 / 3)
    assert stats.profit_factor == pytest.approx(401.96 / 102.0)
    assert stats.expectancy == pytest.approx(299.96 / 3)
    assert stats.expectancy_r == pytest.approx((2.0 - 1.0 + 2.0) / 3)
    assert stats.max_drawdown == pytest.approx(102.0 / 10_200.0)  # exactly 1 %
    assert stats.max_drawdown_abs == pytest.approx(102.0)
    assert stats.exposure == pytest.approx(6 / 7)  # every bar but the signal bar
    assert stats.final_equity == pytest.approx(10_299.96)
    assert stats.total_return == pytest.approx(0.029996)
    assert stats.periods_per_year == 105_120
    assert stats.sharpe == pytest.approx(sharpe_ratio(result.equity.to_numpy(), 105_120))
    assert stats.sharpe > 0


def test_the_equity_curve_marks_open_positions_to_each_close():
    rows = [FLAT, (100.0, 101.0, 99.5, 101.0), (101.0, 101.0, 99.0, 99.0), WIN]
    signals = pd.DataFrame(
        [
            {
                "confirmed": 0,
                "direction": "LONG",
                "entry": 100.0,
                "stop_loss": 98.0,
                "take_profit_1": 104.0,
                "take_profit_2": math.nan,
                "confidence": 80.0,
            }
        ]
    )
    index = pd.date_range("2024-03-01", periods=len(rows), freq="5min", tz="UTC")
    result = run_backtest(pd.DataFrame(rows, columns=["open", "high", "low", "close"], index=index), signals, FREE)
    assert result.equity.tolist() == pytest.approx([10_000, 10_050, 9_950, 10_200])
    assert result.stats.max_drawdown == pytest.approx(100 / 10_050)  # an open loss is a drawdown too
