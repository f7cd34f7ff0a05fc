"""Live runs read what a backtest reads: 5m/15m signals scored with stored 1h context (``analyze_mtf``),
over ``FLAXU_SIGNAL_LOOKBACK_BARS`` of history, so a backtest's first bar trades the signal live gave."""

from __future__ import annotations

from datetime import timedelta

import pytest

from market.selectors.candles import candle_frame
from tests.trading.factories import BTC, EXCHANGE, store_candles, synthetic
from trading import conf
from trading.engine import analyze, analyze_mtf
from trading.engine.synthetic import resample
from trading.services.backtests import backtest_create, backtest_run
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db
STEP = timedelta(minutes=5)


@pytest.fixture
def market():
    """12 days of 5m candles and the 1h candles they make, both stored."""
    frame = synthetic(3500, seed=12)
    store_candles(frame)
    store_candles(resample(frame, "1h"), timeframe="1h")
    return frame


def live_runs(frame, bars):
    """The live run on each of ``bars`` as it closed (the clock at its close): its live signals."""
    signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m", now=frame.index[bars[0] - 1] + STEP)  # backfill
    live = []
    for k in bars:
        new = signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m", now=frame.index[k] + STEP)
        live += [s for s in new if not s.historical]
    return live


def test_live_5m_signals_carry_the_closed_1h_context(settings, market):
    settings.FLAXU_SIGNAL_LOOKBACK_BARS = 1500
    live = live_runs(market, range(2600, 2900))
    assert len(live) >= 3
    for signal in live:
        end = signal.known_at
        window = candle_frame(EXCHANGE, BTC, "5m", start=end - 1500 * STEP, end=end)
        hourly = candle_frame(EXCHANGE, BTC, "1h", start=end - timedelta(hours=1500), end=end - timedelta(hours=1))
        want = analyze_mtf({"5m": window, "1h": hourly}, conf.engine_config())["5m"].signals
        want = want[want["time"] == signal.bar_time]
        assert [(d, c) for d, c in zip(want["direction"], want["confidence"], strict=True)] == [
            (signal.direction, signal.confidence)
        ]
    alone = [analyze(candle_frame(EXCHANGE, BTC, "5m", start=s.known_at - 1500 * STEP, end=s.known_at),
                     conf.engine_config()).signals for s in live]  # fmt: skip
    scored = [int(a[a["time"] == s.bar_time]["confidence"].max()) if (a["time"] == s.bar_time).any() else None
              for a, s in zip(alone, live, strict=True)]  # fmt: skip
    assert scored != [s.confidence for s in live]  # the 1h trend and zones moved some confidence
    told = [r for s in live for r in s.reasons if r.startswith("On the 1h chart: ")]
    assert told and all(r.endswith(".") for r in told)  # and the reasons say which 1h break or zone


def test_a_backtest_starting_on_a_live_signal_trades_that_signal(settings, market, full_user):
    settings.FLAXU_SIGNAL_LOOKBACK_BARS = 1500
    live = live_runs(market, range(2500, 2600))

    def seen_with_300_bars(signal) -> bool:  # the old fixed warm-up
        end = signal.known_at
        window = candle_frame(EXCHANGE, BTC, "5m", start=end - 300 * STEP, end=end)
        hourly = candle_frame(EXCHANGE, BTC, "1h", start=end - timedelta(hours=1500), end=end - timedelta(hours=1))
        found = analyze_mtf({"5m": window, "1h": hourly}, conf.engine_config())["5m"].signals
        return (found["time"] == signal.bar_time).any()

    # A signal whose setup needs more history than 300 bars: only the live lookback finds it.
    signal = next(s for s in live if not seen_with_300_bars(s))
    start = signal.bar_time
    backtest = backtest_create(user=full_user, symbol=BTC, timeframe="5m", start=start, end=start + timedelta(days=1),
                               parameters={"min_confidence": signal.confidence})  # fmt: skip
    backtest_run(backtest_id=backtest.pk)
    backtest.refresh_from_db()
    assert backtest.status == "done", backtest.error
    first = backtest.trades.order_by("number").first()
    assert first.entry_time == start + STEP  # market entry at the next candle's open
    assert (first.side, first.stop_loss, first.take_profit_1, first.take_profit_2) == (
        signal.direction,
        signal.stop_loss,
        signal.take_profit_1,
        signal.take_profit_2,
    )
