"""Signals come from closed candles only: a candle still forming on the source's clock is not analysed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from market.models import Candle
from market.selectors.candles import candle_frame
from tests.trading.factories import BTC, EXCHANGE, seed_candles
from trading import conf
from trading.engine import analyze
from trading.models import Signal, SignalScan
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db


def test_a_signal_on_a_forming_candle_waits_for_its_close():
    seed_candles(1500, seed=4)
    found = analyze(candle_frame(EXCHANGE, BTC, "5m"), conf.engine_config()).signals
    last = found.iloc[-1]
    bar_time = last.time.to_pydatetime()
    Candle.objects.filter(open_time__gt=bar_time).delete()  # the signal's candle is now the newest stored

    forming = bar_time + timedelta(minutes=2, seconds=30)
    saved = signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m", now=forming)
    assert saved  # earlier signals (backfill) are there ...
    assert not Signal.objects.filter(bar_time__gte=bar_time).exists()  # ... but not the one of the open candle
    assert SignalScan.objects.get(symbol=BTC).analysed_until == bar_time - timedelta(minutes=5)

    closed = bar_time + timedelta(minutes=5)
    new = signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m", now=closed)
    assert [(s.bar_time, s.direction) for s in new] == [(bar_time, str(last.direction))]
    assert SignalScan.objects.get(symbol=BTC).analysed_until == bar_time
