"""Trading figures on the constructed data set (tests/adminpanel/dashboard_data.py): paper and live apart,
executed and closed trades in a period, win rate, PnL sums in Decimal, per strategy, signals, paused users."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adminpanel.selectors import trading
from tests.adminpanel.dashboard_data import DAY, NOW, SECOND, add_trade, build
from trading.models import TradingControl

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return build()


def figures(since=NOW - 30 * DAY, until=NOW, now=NOW):
    return trading.trading_figures(since=since, until=until, now=now)


def test_paper_figures_of_the_last_30_days(data):
    paper = figures().paper
    # Opened in the period: alice's open t2 and closed t8, bob's t4 (opened exactly at the period's start).
    # Carol's t5 opened one second before it.
    assert paper.executed == 3
    assert paper.open_positions == 1
    # Closed in the period: t4 (-10.25), t5 (+5.00), t8 (+12.00).
    assert (paper.closed, paper.wins) == (3, 2)
    assert paper.win_rate == pytest.approx(2 / 3)
    assert paper.pnl == Decimal("6.75")
    assert paper.pnl_by_strategy == {"ICT": Decimal("17.00"), "SNIPER": Decimal("-10.25")}
    assert paper.closed_by_strategy == {"ICT": 2, "SNIPER": 1}


def test_live_figures_are_kept_apart_from_paper(data):
    live = figures().live
    # t1 and t6, plus the staff account's open trade; alice's FAILED t3 never executed, erin's t7 is older.
    assert live.executed == 3
    assert live.open_positions == 1
    assert (live.closed, live.wins) == (2, 1)
    assert live.win_rate == 0.5
    assert live.pnl == Decimal("26.50")
    assert live.pnl_by_strategy == {"ICT": Decimal("30.50"), "MANUAL": Decimal("-4.00")}


def test_signals_generated_and_executed_per_mode(data):
    result = figures()
    # s1, s2, s3 were known in the period; s4 was found after the fact, s5 is older.
    assert result.signals_generated == 3
    assert result.paper.signals_executed == 1  # s3 (t8)
    assert result.live.signals_executed == 1  # s1 (t1); s2's only trade failed


def test_paused_users_and_the_global_pause_are_read_now(data):
    assert figures().automation_paused == 1  # gina until NOW + 1 h; alice's pause ended an hour ago
    assert figures(now=NOW + 2 * 3600 * SECOND).automation_paused == 0
    assert figures().global_pause is False
    TradingControl.objects.create(paused=True, reason="maintenance")
    assert figures().global_pause is True


def test_all_time_counts_every_executed_and_closed_trade(data):
    result = figures(since=None)
    assert (result.paper.executed, result.live.executed) == (4, 4)
    assert result.live.pnl == Decimal("26.50")  # t7 closed at exactly 0.00: not a win, no change
    assert (result.live.closed, result.live.wins) == (3, 1)


def test_a_period_without_trades_has_no_win_rate(data):
    empty = figures(since=NOW + DAY, until=NOW + 2 * DAY)
    assert (empty.paper.executed, empty.paper.closed, empty.paper.pnl) == (0, 0, Decimal("0"))
    assert empty.paper.win_rate is None


def test_per_strategy_rows_list_every_strategy_for_both_modes(data):
    rows = {strategy: cells for strategy, _label, cells in figures().by_strategy()}
    assert rows["ICT"] == [("paper", Decimal("17.00"), 2), ("live", Decimal("30.50"), 1)]
    assert rows["SNIPER"] == [("paper", Decimal("-10.25"), 1), ("live", None, 0)]


def test_trades_and_pnl_per_day(data):
    days = trading.trading_days(since=NOW - 7 * DAY, until=NOW + DAY)
    daily = trading.trading_per_day(days)
    assert daily.trades["paper"] == {(NOW - DAY).date(): 1, (NOW - 4 * DAY).date(): 1}
    assert daily.trades["live"] == {(NOW - 3 * DAY).date(): 1, (NOW - 6 * DAY).date(): 1, (NOW - DAY).date(): 1}
    assert daily.pnl["paper"] == {(NOW - 3 * DAY).date(): Decimal("12.00")}
    assert daily.pnl["live"] == {(NOW - 2 * DAY).date(): Decimal("30.50"), (NOW - 5 * DAY).date(): Decimal("-4.00")}
    assert days.first_day() == (NOW - 6 * DAY).date()


def test_the_figures_can_reuse_the_days_already_read(data):
    days = trading.trading_days(since=NOW - 30 * DAY, until=NOW)
    assert figures() == trading.trading_figures(since=NOW - 30 * DAY, until=NOW, now=NOW, days=days)


def test_trading_figures_take_the_same_queries_whatever_the_number_of_trades(data):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            days = trading.trading_days(since=None, until=NOW)
            trading.trading_figures(since=None, until=NOW, now=NOW, days=days)
            trading.trading_per_day(days)
        return len(captured)

    few = queries()
    for i in range(40):
        add_trade(data.bob, mode="live" if i % 2 else "paper", status="CLOSED", opened=NOW - i * DAY,
                  closed=NOW - i * DAY + SECOND, pnl="1", signal_type=("ICT", "SNIPER", "MANUAL")[i % 3])  # fmt: skip
    assert queries() == few == 6  # two scans of trades per day, open positions, signals, paused users, pause
