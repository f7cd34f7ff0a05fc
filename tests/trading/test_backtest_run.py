"""A backtest runs to the end (the service the Celery task calls): progress to 100, stats, equity, trades,
calibration; the same trades as the pure engine on the same candles; failures are recorded, not raised."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from market.selectors.candles import candle_frame
from tests.trading.factories import BTC, EXCHANGE, seed_candles
from trading import conf
from trading.engine import analyze
from trading.engine.backtest import BacktestConfig, run_backtest
from trading.models import Backtest
from trading.services.backtests import backtest_create, backtest_run
from trading.services.series import warmup_start

pytestmark = pytest.mark.django_db
START, END = datetime(2024, 1, 3, tzinfo=UTC), datetime(2024, 1, 10, tzinfo=UTC)


@pytest.fixture
def backtest(full_user):
    seed_candles(3000, seed=12)  # 2024-01-01 .. 2024-01-11 09:55
    return backtest_create(
        user=full_user, symbol=BTC, timeframe="5m", start=START, end=END, parameters={"min_confidence": 55}
    )


def test_a_backtest_runs_to_done_with_results(backtest, pushes, django_capture_on_commit_callbacks):
    pushes.watch(f"user.{backtest.user_id}")
    seen = []
    with django_capture_on_commit_callbacks(execute=True):
        backtest_run(backtest_id=backtest.pk, progress_callback=seen.append)
    backtest.refresh_from_db()

    assert backtest.status == "done" and backtest.progress == 100 and backtest.error == ""
    assert seen == sorted(seen) and seen[-1] == 100
    assert backtest.started_at and backtest.finished_at
    assert backtest.candles == 2016  # 7 days of 5m candles
    stats = backtest.stats
    assert stats["trades"] == backtest.trades.count() > 0
    assert stats["wins"] + stats["losses"] <= stats["trades"]
    assert 0 <= stats["win_rate"] <= 1 and stats["max_drawdown"] >= 0
    assert stats["initial_equity"] == 10_000.0
    assert len(backtest.equity) <= 1000 and backtest.equity[0][0] == int(START.timestamp())
    assert backtest.equity[-1][1] == pytest.approx(stats["final_equity"], abs=0.01)
    assert backtest.calibration and {"setup", "bucket", "cases", "tp1_hits", "hit_rate"} <= set(backtest.calibration[0])
    assert all(t.confidence >= 55 for t in backtest.trades.all())

    progress = [e["data"]["progress"] for e in pushes.events(f"user.{backtest.user_id}") if e["type"] == "backtest"]
    assert progress[0] < 100 and progress[-1] == 100 and progress == sorted(progress)


def test_the_trades_are_the_pure_engines_on_the_same_candles(backtest):
    backtest_run(backtest_id=backtest.pk)
    frame = candle_frame(EXCHANGE, BTC, "5m", start=warmup_start("5m", START), end=END)
    first = int((frame.index < pd.Timestamp(START)).sum())
    signals = analyze(frame, conf.engine_config(report_confidence=50)).signals
    signals = signals[(signals.confirmed >= first) & (signals.confidence >= 55)]
    signals = signals.assign(confirmed=signals.confirmed - first).reset_index(drop=True)
    minutes = None  # no 1-minute candles stored
    expected = run_backtest(frame.iloc[first:], signals, BacktestConfig(), minute_candles=minutes)

    trades = list(backtest.trades.order_by("number"))
    assert len(trades) == len(expected.trades)
    for row, want in zip(trades, expected.trades.itertuples(), strict=True):
        assert row.entry_time == want.entry_time.to_pydatetime() and row.side == want.side
        assert float(row.pnl) == pytest.approx(want.pnl, abs=1e-6)
    backtest.refresh_from_db()
    assert backtest.signals == len(signals)


def test_a_failure_is_recorded_with_a_clear_error(backtest):
    from market.models import Candle

    Candle.objects.all().delete()  # the data went away between creation and the run
    backtest_run(backtest_id=backtest.pk)
    backtest.refresh_from_db()
    assert backtest.status == "failed"
    assert backtest.error == "Only 0 stored candles remain in the period."
    assert backtest.finished_at is not None


def test_a_finished_backtest_is_not_run_again(backtest):
    backtest_run(backtest_id=backtest.pk)
    done = Backtest.objects.get(pk=backtest.pk)
    trades = list(done.trades.values_list("pk", flat=True))
    backtest_run(backtest_id=backtest.pk)
    assert list(Backtest.objects.get(pk=backtest.pk).trades.values_list("pk", flat=True)) == trades


def test_setups_are_judged_at_the_costs_the_backtest_trades_at(full_user):
    seed_candles(3000, seed=12)
    runs = {}
    for fee in ("0.05", "0.5"):  # percent per fill; at 0.5 % a round trip costs 1 % of price
        backtest = backtest_create(
            user=full_user,
            symbol=BTC,
            timeframe="5m",
            start=START,
            end=END,
            parameters={"min_confidence": 55, "taker_fee_pct": fee},
        )
        backtest_run(backtest_id=backtest.pk)
        backtest.refresh_from_db()
        runs[fee] = backtest.signals

    assert runs["0.05"] > 0
    assert runs["0.5"] < runs["0.05"]  # stops closer than 3 round trips are no setup at these costs
