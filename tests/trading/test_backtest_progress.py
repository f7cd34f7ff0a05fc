"""A backtest reports real progress while it runs (written to its row at most every 0.5 s) and, while it
waits, its place in the queue: the API status and the page say "2nd in line" rather than "Queued 0 %"."""

from __future__ import annotations

import html
import itertools
import time
from datetime import UTC, datetime

import pytest

from tests.factories import UserFactory
from tests.trading.factories import BTC, grant_full, seed_candles, synthetic
from trading.engine import analyze
from trading.engine.backtest import run_backtest
from trading.engine.backtest.runner import PROGRESS_STEPS
from trading.models import Backtest
from trading.services.backtests import PROGRESS_INTERVAL, _Progress, backtest_create, backtest_run

START, END = datetime(2024, 1, 3, tzinfo=UTC), datetime(2024, 1, 10, tzinfo=UTC)


def test_the_pure_runner_reports_its_share_done_a_bounded_number_of_times():
    candles = synthetic(5000, seed=11)
    signals = analyze(candles).signals
    assert len(signals) > PROGRESS_STEPS  # more signals than reports
    seen: list[float] = []
    result = run_backtest(candles, signals, progress=seen.append)

    assert 2 < len(seen) <= PROGRESS_STEPS + 1
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] == 1.0
    quiet = run_backtest(candles, signals)  # reporting changes nothing in the result
    assert result.trades.equals(quiet.trades) and result.equity.equals(quiet.equity)


@pytest.fixture
def backtest(full_user):
    seed_candles(3000, seed=12)  # 2024-01-01 .. 2024-01-11 09:55
    return backtest_create(
        user=full_user, symbol=BTC, timeframe="5m", start=START, end=END, parameters={"min_confidence": 55}
    )


@pytest.mark.django_db
def test_a_running_backtest_writes_each_stage_to_its_row(backtest):
    rows = []

    def written(percent: int) -> None:
        rows.append((percent, Backtest.objects.values_list("status", "progress").get(pk=backtest.pk)))

    backtest_run(backtest_id=backtest.pk, progress_callback=written, progress_interval=0)
    percents = [p for p, _ in rows]
    assert percents == sorted(set(percents)) and percents[0] == 1 and percents[-1] == 100
    # reading candles, finding signals, simulating: values inside the run, not only the ends
    assert any(1 < p <= 25 for p in percents) and 50 in percents and any(65 < p < 95 for p in percents)
    assert all(row == ("running", p) for p, row in rows[:-1]) and rows[-1][1] == ("done", 100)


@pytest.mark.django_db
def test_progress_reaches_the_row_at_most_every_half_second(backtest):
    backtest_run(backtest_id=backtest.pk)  # only to have a real row; the throttle is what is tested
    Backtest.objects.filter(pk=backtest.pk).update(status="running", progress=1)
    backtest.refresh_from_db()
    writes = []
    progress = _Progress(backtest, lambda p: writes.append((time.monotonic(), p)), PROGRESS_INTERVAL)
    report = progress.stage(1, 99)
    began = time.monotonic()
    while (elapsed := time.monotonic() - began) < 1.3:
        report(elapsed / 1.3)
        time.sleep(0.01)

    assert 2 <= len(writes) <= 3
    times = [began] + [t for t, _ in writes]
    assert all(b - a >= PROGRESS_INTERVAL for a, b in itertools.pairwise(times))
    assert Backtest.objects.get(pk=backtest.pk).progress == writes[-1][1] > 1


@pytest.mark.django_db
def test_a_queued_backtest_says_its_place_in_line(full_client, full_user, backtest):
    other = UserFactory()
    grant_full(other)
    second = backtest_create(user=other, symbol=BTC, timeframe="5m", start=START, end=END)
    third = backtest_create(user=full_user, symbol=BTC, timeframe="5m", start=START, end=END)

    status = full_client.get(f"/api/backtests/{third.pk}/").json()
    assert status["status"] == "queued" and status["queue_position"] == 3
    page = html.unescape(full_client.get(f"/backtests/{third.pk}/").content.decode())
    assert '<span id="queue-position">· 3rd in line</span>' in page
    assert '<span id="progress-value" hidden>0 %</span>' in page

    backtest_run(backtest_id=backtest.pk)
    assert full_client.get(f"/api/backtests/{third.pk}/").json()["queue_position"] == 2
    assert "· 2nd in line" in html.unescape(full_client.get(f"/backtests/{third.pk}/").content.decode())
    done = full_client.get(f"/api/backtests/{backtest.pk}/").json()
    assert done["status"] == "done" and done["queue_position"] is None
    assert second.pk < third.pk
