"""trading.engine.performance on constructed trades with answers worked out by hand (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trading.engine.performance import equity_curve, expectation, figures, performance, trades_frame

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def trade(pnl, r=None, *, minutes=0, signal_type="ICT", symbol="BTC/USDT:USDT", **extra) -> dict:
    return {
        "pnl": pnl,
        "r_multiple": r,
        "closed_at": T0 + timedelta(minutes=minutes),
        "signal_type": signal_type,
        "symbol": symbol,
        **extra,
    }


# +200, -100, +300, -50 from 10,000: equity 10,000 -> 10,200 -> 10,100 -> 10,400 -> 10,350.
MIXED = [trade(200, 2, minutes=1), trade(-100, -1, minutes=2), trade(300, 3, minutes=3), trade(-50, -0.5, minutes=4)]


def test_mixed_trades_give_the_hand_worked_figures():
    f = figures(MIXED, 10_000)

    assert f.n == 4 and f.wins == 2 and f.losses == 2
    assert f.net_pnl == pytest.approx(350)
    assert f.roi == pytest.approx(0.035)
    assert f.win_rate == pytest.approx(0.5)
    assert f.avg_r == pytest.approx(0.875) and f.r_n == 4
    assert f.profit_factor == pytest.approx(500 / 150)
    assert not f.profit_factor_unbounded
    # The deepest fall: from the 10,200 peak to 10,100.
    assert f.max_drawdown_abs == pytest.approx(100)
    assert f.max_drawdown == pytest.approx(100 / 10_200)
    assert f.final_equity == pytest.approx(10_350)


def test_profit_factor_without_a_losing_trade_is_none_not_a_fake_number():
    f = figures([trade(10, 1), trade(20, 2, minutes=1)], 1000)

    assert f.profit_factor is None
    assert f.profit_factor_unbounded
    assert f.win_rate == 1.0
    assert f.max_drawdown == 0.0


def test_empty_input_is_honest():
    f = figures([], 1000)

    assert f.n == 0
    assert f.roi is None and f.win_rate is None and f.avg_r is None and f.profit_factor is None
    assert not f.profit_factor_unbounded
    assert f.max_drawdown == 0.0
    assert performance([], 1000).equity_curve == []


def test_drawdown_from_the_initial_equity_counts_a_first_loss():
    f = figures([trade(-300, -1), trade(100, 0.3, minutes=1)], 1000)

    assert f.max_drawdown == pytest.approx(0.3)
    assert f.max_drawdown_abs == pytest.approx(300)


def test_average_r_counts_only_trades_with_an_r_multiple():
    f = figures([trade(10, 1), trade(-5, None, minutes=1)], 1000)

    assert f.avg_r == 1.0 and f.r_n == 1 and f.n == 2


def test_unknown_initial_equity_leaves_roi_and_drawdown_percent_unknown():
    f = figures(MIXED, None)

    assert f.roi is None and f.initial_equity is None
    assert f.max_drawdown == 0.0
    assert f.max_drawdown_abs == pytest.approx(100)


def test_equity_curve_starts_at_the_initial_equity_and_merges_closes_in_the_same_second():
    rows = [trade(100), trade(50), trade(-30, minutes=1)]

    curve = equity_curve(trades_frame(rows), 1000)

    start = int(T0.timestamp())
    assert curve == [(start - 1, 1000.0), (start, 1150.0), (start + 60, 1120.0)]


def test_unsorted_rows_are_ordered_by_close():
    rows = [trade(-100, minutes=5), trade(200, minutes=1)]

    curve = equity_curve(trades_frame(rows), 1000)

    assert [v for _, v in curve] == [1000.0, 1200.0, 1100.0]


def test_breakdowns_per_strategy_and_symbol_each_with_their_n():
    rows = [
        trade(100, 1, signal_type="ICT"),
        trade(-50, -1, minutes=1, signal_type="SNIPER", symbol="ETH/USDT:USDT"),
        trade(30, 0.5, minutes=2, signal_type="MANUAL"),
        trade(20, 0.4, minutes=3, signal_type="ICT", symbol="ETH/USDT:USDT"),
    ]

    result = performance(rows, 1000)

    assert {k: v.n for k, v in result.by_strategy.items()} == {"ICT": 2, "MANUAL": 1, "SNIPER": 1}
    assert {k: v.n for k, v in result.by_symbol.items()} == {"BTC/USDT:USDT": 2, "ETH/USDT:USDT": 2}
    assert result.by_strategy["ICT"].net_pnl == pytest.approx(120)
    assert result.by_strategy["SNIPER"].win_rate == 0.0
    assert result.overall.n == 4


def test_ict_expectation_sits_beside_the_realised_r_of_the_same_trades():
    rows = [
        trade(100, 2, signal_type="ICT", evidence_mean_r=0.4, evidence_rate=0.5, evidence_n=40),
        trade(-50, -1, minutes=1, signal_type="ICT", evidence_mean_r=0.2, evidence_rate=0.4, evidence_n=60),
        trade(-50, -1, minutes=2, signal_type="ICT", evidence_mean_r=None, evidence_rate=None, evidence_n=0),
        trade(10, 1, minutes=3, signal_type="SNIPER"),
    ]

    e = expectation(rows)

    assert e.n == 2
    assert e.expected_mean_r == pytest.approx(0.3)
    assert e.expected_rate == pytest.approx(0.45)
    assert e.evidence_n_min == 40
    assert e.realised_mean_r == pytest.approx(0.5)
    assert e.realised_win_rate == pytest.approx(0.5)


def test_no_ict_evidence_means_no_expectation():
    e = expectation([trade(10, 1, signal_type="MANUAL")])

    assert e.n == 0 and e.expected_mean_r is None and e.realised_mean_r is None
