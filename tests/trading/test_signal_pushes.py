"""Only live signals are pushed (after commit, to signals.<symbol> and signals.all), each once: a signal
confirmed on a candle that is not the newest closed one when the run happens (a first run's backfill,
catch-up after an outage, a late run) is stored as historical, never pushed and never auto-executable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.trading.factories import BTC, EXCHANGE, make_signal, store_candles, synthetic
from trading import conf
from trading.engine import analyze
from trading.models import Signal, SignalScan
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db
STEP = timedelta(minutes=5)
GROUPS = ("signals.all", "signals.btc-usdt-usdt")


def run(now, capture):
    with capture(execute=True):
        return signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m", now=now)


def test_live_signals_are_pushed_once_and_backfilled_ones_never(pushes, django_capture_on_commit_callbacks):
    pushes.watch(*GROUPS)
    frame = synthetic(1700, seed=3)
    store_candles(frame.iloc[:1500])
    backfill = run(frame.index[1499].to_pydatetime() + STEP, django_capture_on_commit_callbacks)
    assert backfill and all(s.historical for s in backfill if s.bar_time < frame.index[1499])
    assert pushes.count("signals.all") == sum(not s.historical for s in backfill)

    live = [s for s in backfill if not s.historical]
    for k in range(1500, 1700):  # candles close one by one; each run is the event path's run
        store_candles(frame.iloc[k : k + 1])
        bar = frame.index[k].to_pydatetime()
        new = run(bar + STEP, django_capture_on_commit_callbacks)
        assert all(not s.historical and s.bar_time == bar for s in new)
        live += new
    assert len(live) >= 3
    for group in GROUPS:
        events = pushes.events(group)
        assert [e["type"] for e in events] == ["signal"] * len(live)
        assert [e["data"]["id"] for e in events] == [s.pk for s in live]
    data, signal = pushes.events("signals.all")[-1]["data"], live[-1]
    assert data["symbol"] == BTC and data["timeframe"] == "5m" and data["direction"] == signal.direction
    assert data["entry"] == str(signal.entry) and data["confidence"] == signal.confidence
    assert data["url"] == f"/signals/{signal.pk}/" and data["historical"] is False

    assert run(frame.index[1699].to_pydatetime() + STEP, django_capture_on_commit_callbacks) == []  # rerun
    assert pushes.count("signals.all") == len(live)


def test_catch_up_after_an_outage_and_a_late_run_store_historical_signals(pushes, django_capture_on_commit_callbacks):
    pushes.watch(*GROUPS)
    frame = synthetic(1700, seed=3)
    found = analyze(frame, conf.engine_config()).signals
    late = found[found["confirmed"] >= 1500]  # signals on the 200 candles the outage hides
    store_candles(frame.iloc[:1500])
    run(frame.index[1499].to_pydatetime() + STEP, django_capture_on_commit_callbacks)
    before = pushes.count("signals.all")

    store_candles(frame.iloc[1500:])  # back after the outage: 200 candles at once
    caught_up = run(frame.index[1699].to_pydatetime() + STEP, django_capture_on_commit_callbacks)
    assert len(caught_up) == len(late) >= 3
    last = frame.index[1699]
    assert all(s.historical == (s.bar_time < last) for s in caught_up)
    assert pushes.count("signals.all") - before == sum(s.bar_time == last for s in caught_up)
    assert not any(s.auto_executable for s in caught_up if s.historical)

    # A run that comes two bars late (the next candle closed but is not stored yet): nothing is live.
    Signal.objects.all().delete()
    SignalScan.objects.all().delete()
    assert all(s.historical for s in run(last.to_pydatetime() + 2 * STEP, django_capture_on_commit_callbacks))
    assert pushes.count("signals.all") - before == sum(s.bar_time == last for s in caught_up)


def test_a_signal_is_fresh_for_execution_for_one_bar_after_it_became_known(db):
    bar = synthetic(1).index[0].to_pydatetime()
    signal = make_signal(bar_time=bar, confidence=90)
    known = signal.known_at
    assert signal.is_fresh_for_execution(known) and signal.is_fresh_for_execution(known + STEP)
    assert not signal.is_fresh_for_execution(known + STEP + timedelta(seconds=1))
    assert not signal.is_fresh_for_execution(known - timedelta(seconds=1))
    signal.historical = True
    assert not signal.auto_executable and not signal.is_fresh_for_execution(known)
