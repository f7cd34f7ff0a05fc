"""New signals are pushed (after commit) to signals.<symbol> and signals.all; a rerun pushes nothing."""

from __future__ import annotations

import pytest

from tests.trading.factories import BTC, EXCHANGE, seed_candles
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db


def test_new_signals_are_pushed_once_to_the_symbol_and_to_all(pushes, django_capture_on_commit_callbacks):
    pushes.watch("signals.all", "signals.btc-usdt-usdt")
    seed_candles(1500)
    with django_capture_on_commit_callbacks(execute=True):
        new = signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m")
    assert new

    for group in ("signals.all", "signals.btc-usdt-usdt"):
        events = pushes.events(group)
        assert [e["type"] for e in events] == ["signal"] * len(new)
        assert [e["data"]["id"] for e in events] == [s.pk for s in new]
    first = pushes.events("signals.all")[-1]["data"]
    signal = new[-1]
    assert first["symbol"] == BTC and first["timeframe"] == "5m" and first["direction"] == signal.direction
    assert first["entry"] == str(signal.entry) and first["confidence"] == signal.confidence
    assert first["url"] == f"/signals/{signal.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        assert signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m") == []
    assert pushes.count("signals.all") == len(new)
