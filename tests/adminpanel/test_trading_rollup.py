"""The staff overview's per-day trading rollup: figures and charts read from the rollup plus the trades counted
live equal the figures counted from the trades alone, exactly, for any period; a rolled-up day is stale until
recomputed; the beat tasks recompute the days they say."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adminpanel import tasks
from adminpanel.models import TradesClosedDay, TradesOpenedDay, TradingRollupMark
from adminpanel.selectors import trading
from adminpanel.selectors.days import midnight
from adminpanel.services.trading_rollup import rollup_recent, rollup_trading_days
from adminpanel.views.overview import chart_data
from tests.adminpanel.dashboard_data import DAY, NOW, SECOND, add_trade, build
from trading.models import Trade

pytestmark = pytest.mark.django_db

TODAY = NOW.date()


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


# (since, until) of the periods compared: all time, the last 30 days as the overview asks (whole days, today
# included), a period ending before the rollup stops, one straddling it, and one not on day boundaries.
PERIODS = {
    "all time": (None, midnight(day(1))),
    "30 days": (midnight(day(-29)), midnight(day(1))),
    "ends before": (midnight(day(-40)), midnight(day(-5))),
    "straddles": (midnight(day(-8)), midnight(day(1))),
    "partial days": (NOW - 30 * DAY, NOW),
}


@pytest.fixture
def data():
    """The dashboard's data set, with more trades: several on a day and strategy, a PnL with 8 decimals, trades
    opened one day and closed another, and trades today (never rolled up)."""
    built = build()
    for i, (opened, closed, pnl) in enumerate(
        [
            (NOW - 2 * DAY, NOW - 2 * DAY + SECOND, "0.00000001"),
            (NOW - 2 * DAY, NOW - 2 * DAY + 2 * SECOND, "-7.12345678"),
            (NOW - 9 * DAY, NOW - DAY, "100"),
            (NOW - 12 * DAY, NOW - 10 * SECOND, "3.3"),  # closed today
            (NOW - 5 * SECOND, NOW - SECOND, "-1"),  # opened and closed today
        ]
    ):
        add_trade(built.bob, mode=("paper", "live")[i % 2], status="CLOSED", signal_type="SNIPER", opened=opened,
                  closed=closed, pnl=pnl)  # fmt: skip
    add_trade(built.carol, mode="live", status="OPEN", opened=NOW - 3 * SECOND)
    return built


def overview(since, until, days: trading.TradingDays):
    """What the overview shows from ``days``: the trading figures and the chart series."""
    figures = trading.trading_figures(since=since, until=until, now=NOW, days=days)
    first = since.date() if since is not None else None
    return figures, chart_data(since=first, until=(until - SECOND).date() + timedelta(days=1), days=days)


def assert_same_as_live(periods=PERIODS):
    for name, (since, until) in periods.items():
        read = trading.trading_days(since=since, until=until)
        live = trading.live_trading_days(since=since, until=until)
        assert read == live, name
        # Decimal equality ignores trailing zeros: the sums are also compared as text, to the last digit.
        assert {k: str(v[2].normalize()) for k, v in read.closed.items()} == {
            k: str(v[2].normalize()) for k, v in live.closed.items()
        }, name
        assert overview(since, until, read) == overview(since, until, live), name


def test_without_a_rollup_every_period_is_counted_live(data):
    assert not TradingRollupMark.objects.exists()
    assert_same_as_live()
    TradingRollupMark.objects.create(pk=trading.MARK)  # a mark that never ran: still all live
    assert_same_as_live()


def test_the_rollup_until_three_days_ago_plus_live_gives_the_live_figures(data):
    rollup_trading_days(since=None, until=day(-3), today=TODAY)
    assert TradingRollupMark.objects.get().computed_until == midnight(day(-3))
    assert TradesClosedDay.objects.filter(day__lt=midnight(day(-3))).exists()
    assert not TradesClosedDay.objects.filter(day__gte=midnight(day(-3))).exists()
    assert_same_as_live()
    paper = trading.trading_figures(since=None, until=midnight(day(1)), now=NOW).paper
    # t8, t4, t5, and bob's 0.00000001, 100 and -1 (today's, counted live).
    assert paper.pnl == Decimal("105.75000001")


def test_the_rollup_up_to_today_gives_the_live_figures(data):
    rollup_trading_days(since=None, until=TODAY, today=TODAY)
    assert_same_as_live()


def test_a_trade_edited_in_a_rolled_up_day_is_stale_until_that_day_is_recomputed(data):
    rollup_trading_days(since=None, until=TODAY, today=TODAY)
    until = midnight(day(1))
    before = trading.trading_figures(since=None, until=until, now=NOW).live.pnl
    edited = Trade.objects.get(pnl=Decimal("30.50"))  # alice's live ICT trade, closed two days ago
    Trade.objects.filter(pk=edited.pk).update(pnl=Decimal("-30.50"))

    shown = trading.trading_figures(since=None, until=until, now=NOW).live
    live = trading.trading_figures(
        since=None, until=until, now=NOW, days=trading.live_trading_days(since=None, until=until)
    ).live
    assert shown.pnl == before  # the rolled-up day still holds 30.50
    assert live.pnl == before - Decimal("61")
    rollup_trading_days(since=day(-3), until=TODAY, today=TODAY)
    assert trading.trading_figures(since=None, until=until, now=NOW).live.pnl == before - Decimal("61")
    assert_same_as_live()


def test_a_period_read_from_the_rollup_takes_the_same_two_queries(data):
    rollup_trading_days(since=None, until=day(-3), today=TODAY)
    for since, until in PERIODS.values():
        with CaptureQueriesContext(connection) as captured:
            trading.trading_days(since=since, until=until)
        assert len(captured) == 2  # the rollup and the live rest in one statement, for opened and for closed


def test_the_recent_task_recomputes_the_last_three_days_and_any_day_since_it_last_ran(data):
    rollup_trading_days(since=None, until=day(-10), today=TODAY)
    assert rollup_recent(today=TODAY) == (day(-10), TODAY)  # it stopped 10 days ago: from there
    assert TradingRollupMark.objects.get().computed_until == midnight(TODAY)
    assert_same_as_live()

    # Two trades edited: one 2 days ago (inside the last three days), one 30 days ago (before).
    recent = Trade.objects.get(pnl=Decimal("30.50"))
    old = Trade.objects.get(pnl=Decimal("-10.25"))
    Trade.objects.filter(pk__in=[recent.pk, old.pk]).update(pnl=Decimal("1"))
    assert rollup_recent(today=TODAY) == (day(-3), TODAY)
    rolled = {(row.mode, row.signal_type, row.day.date()): row.pnl for row in TradesClosedDay.objects.all()}
    assert rolled[("live", "ICT", day(-2))] == Decimal("1")  # recomputed
    assert rolled[("paper", "SNIPER", day(-29))] == Decimal("-10.25")  # left as it was (the nightly run fixes it)
    assert rollup_trading_days(since=None, until=TODAY, today=TODAY) == (None, TODAY)
    assert_same_as_live()


def test_the_tasks_roll_up_every_whole_day_before_today_on_a_first_run(data):
    assert tasks.rollup_recent_trading() == f"trading rollup recomputed [start, {date.today()})"
    opened = {(row.mode, row.day.date()): row.executed for row in TradesOpenedDay.objects.all()}
    assert opened == trading.live_trading_days(since=None, until=midnight(date.today())).opened
    assert tasks.rollup_all_trading() == f"trading rollup recomputed [start, {date.today()})"
    assert_same_as_live()


def test_the_rollup_never_takes_today_nor_leaves_a_gap(data):
    with pytest.raises(ValueError, match="before today"):
        rollup_trading_days(since=None, until=day(1), today=TODAY)
    with pytest.raises(ValueError, match="gap"):
        rollup_trading_days(since=day(-5), until=TODAY, today=TODAY)  # nothing computed yet
    rollup_trading_days(since=None, until=day(-10), today=TODAY)
    with pytest.raises(ValueError, match="gap"):
        rollup_trading_days(since=day(-9), until=TODAY, today=TODAY)
    assert TradingRollupMark.objects.get().computed_until == midnight(day(-10))
