"""Signal rows: a rerun adds nothing, more candles add only newer signals, and the rows saved run by run
are exactly one run's signals over all the candles (the engine's no-look-ahead, through the database)."""

from __future__ import annotations

import pytest

from market.models import Candle
from market.selectors.candles import candle_frame
from tests.trading.factories import BTC, EXCHANGE, seed_candles, store_candles, synthetic
from trading import conf
from trading.engine import analyze
from trading.models import Signal, SignalScan
from trading.models.fields import to_decimal
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db
FIELDS = (
    "bar_time",
    "direction",
    "setup",
    "entry",
    "stop_loss",
    "take_profit_1",
    "take_profit_2",
    "confidence",
    "reasons",
    "events",
)


def run(**kwargs):
    return signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m", **kwargs)


def stored() -> dict:
    return {(s["bar_time"], s["direction"]): s for s in Signal.objects.values("id", *FIELDS)}


def test_running_twice_leaves_the_same_rows():
    seed_candles(1500)
    first = run()
    assert first, "the synthetic series should give signals"
    before = stored()

    assert run() == []
    assert stored() == before
    assert Signal.objects.count() == len(first)


def test_more_candles_add_only_newer_signals_and_never_change_old_ones(settings):
    settings.FLAXU_SIGNAL_LOOKBACK_BARS = 10_000  # every run sees the whole series from its first candle
    settings.FLAXU_SIGNAL_BACKFILL_BARS = 10_000
    frame = synthetic(2400, seed=8)
    cuts = (1000, 1001, 1013, 1400, 1401, 2000, 2400)
    seen: dict = {}
    for cut in cuts:
        store_candles(frame.iloc[:cut])
        cursor_before = SignalScan.objects.filter(symbol=BTC).values_list("analysed_until", flat=True).first()
        new = run()
        if cursor_before is not None:
            assert all(s.bar_time > cursor_before for s in new)
        now = stored()
        assert {k: now[k] for k in seen} == seen, "an earlier signal changed"
        seen = now

    analysis = analyze(candle_frame(EXCHANGE, BTC, "5m"), conf.engine_config())
    expected = {
        (s.time.to_pydatetime(), str(s.direction)): (
            str(s.setup),
            to_decimal(s.entry, 12),
            to_decimal(s.stop_loss, 12),
            int(s.confidence),
        )
        for s in analysis.signals.itertuples()
    }
    got = {k: (v["setup"], v["entry"], v["stop_loss"], v["confidence"]) for k, v in seen.items()}
    assert got == expected
    assert len(got) > 20


def test_a_sliding_window_never_rewrites_or_backfills_old_bars(settings):
    settings.FLAXU_SIGNAL_LOOKBACK_BARS = 600  # the analysed window starts later on every run
    frame = synthetic(1600, seed=9)
    store_candles(frame.iloc[:1000])
    run()
    first = stored()
    store_candles(frame)
    new = run()
    after = stored()
    assert {k: after[k] for k in first} == first
    assert set(after) - set(first) == {(s.bar_time, s.direction) for s in new}
    last_before = frame.index[999].to_pydatetime()
    assert all(s.bar_time > last_before for s in new)


def test_a_series_with_too_few_candles_waits():
    seed_candles(40)
    assert run() == []
    assert not SignalScan.objects.exists()
    assert Candle.objects.count() == 40


def test_a_signal_reports_its_expected_r_after_costs_at_each_target():
    from decimal import Decimal

    from trading.models import Signal
    from trading.signal_figures import expected_r

    signal = Signal(
        entry=Decimal("100"), stop_loss=Decimal("99"), take_profit_1=Decimal("102"), take_profit_2=Decimal("103")
    )
    cost = 100 * 2 * (0.0005 + 0.0001)  # market in and out: taker fee and 1 bp slippage each way
    assert expected_r(signal) == (round((2 - cost) / (1 + cost), 2), round((3 - cost) / (1 + cost), 2))
    assert expected_r(signal)[0] < signal.risk_reward[0]  # costs always take something
