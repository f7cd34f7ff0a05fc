"""The beat tick runs a series only when a closed candle was stored after its cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.trading.factories import BTC, ETH, EXCHANGE, seed_candles, store_candles, synthetic
from trading.services.signals import signals_due, signals_run

pytestmark = pytest.mark.django_db


def test_series_with_new_closed_candles_are_due_and_analysed_ones_are_not(settings):
    settings.FLAXU_SIGNAL_SYMBOLS = [BTC, ETH]
    frame = seed_candles(500)
    last = frame.index[-1].to_pydatetime()
    now = last + timedelta(minutes=5)
    assert signals_due(now=now) == [(EXCHANGE, BTC, "5m")]  # ETH has no candles

    signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m", now=now)
    assert signals_due(now=now) == []

    more = synthetic(501)
    store_candles(more.iloc[-1:])
    assert signals_due(now=now) == []  # the new candle is still forming at `now`
    assert signals_due(now=now + timedelta(minutes=5)) == [(EXCHANGE, BTC, "5m")]
