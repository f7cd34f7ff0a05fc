"""The sniper scan saves an alert for a violent dump over stored 1-minute candles, pushes it once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.trading.factories import BTC, store_candles, synthetic
from trading.models import SniperAlert
from trading.services.sniper import sniper_scan

pytestmark = pytest.mark.django_db


def dumped(n: int = 400, drop: tuple = (0.97, 0.94, 0.91, 0.875)):
    """Calm 1-minute candles whose last four bars fall 12.5 % from where the move started."""
    frame = synthetic(n, seed=5, timeframe="1m", start="2024-03-01", volatility=0.0005, trend=0)
    base = frame["close"].iloc[-len(drop) - 1]
    for k, share in zip(range(len(drop), 0, -1), drop, strict=True):
        i = n - k
        o, close = frame["close"].iloc[i - 1], base * share
        frame.iloc[i] = [o, max(o, close) * 1.001, min(o, close) * 0.999, close, frame["volume"].iloc[i] * 5]
    return frame


def test_a_dump_that_cleared_the_longs_is_saved_and_pushed_once(pushes, django_capture_on_commit_callbacks):
    pushes.watch("sniper.alerts")
    frame = dumped()
    store_candles(frame, timeframe="1m")
    now = frame.index[-1].to_pydatetime() + timedelta(minutes=1, seconds=5)

    with django_capture_on_commit_callbacks(execute=True):
        alerts = sniper_scan(now=now, symbols=[BTC])
    assert len(alerts) == 1
    alert = SniperAlert.objects.get()
    assert alert.symbol == BTC and alert.time == frame.index[-1].to_pydatetime()
    assert alert.move == "DUMP" and alert.direction == "SHORT"
    assert alert.change_pct <= Decimal("-10") and alert.cleared_pct >= Decimal("75")
    assert alert.stop_loss > alert.entry > alert.take_profit

    events = pushes.events("sniper.alerts")
    assert [e["type"] for e in events] == ["sniper_alert"]
    assert events[0]["data"]["id"] == alert.pk and events[0]["data"]["move"] == "DUMP"

    with django_capture_on_commit_callbacks(execute=True):
        assert sniper_scan(now=now + timedelta(seconds=30), symbols=[BTC]) == []
    assert SniperAlert.objects.count() == 1
    assert pushes.count("sniper.alerts") == 1


def test_calm_markets_and_old_moves_raise_nothing():
    calm = synthetic(400, seed=6, timeframe="1m", start="2024-03-01", volatility=0.0005, trend=0)
    store_candles(calm, timeframe="1m")
    assert sniper_scan(now=calm.index[-1].to_pydatetime() + timedelta(minutes=1), symbols=[BTC]) == []

    SniperAlert.objects.all().delete()
    frame = dumped()
    store_candles(frame, timeframe="1m")
    long_after = frame.index[-1].to_pydatetime() + timedelta(hours=1)
    assert sniper_scan(now=long_after, symbols=[BTC]) == []  # older than FLAXU_SNIPER_RECENT_MINUTES
