"""Event path: storing newly closed candles queues the signal run of exactly that series (after commit), and a
real Celery worker runs it; other series, and timeframes the engine does not follow, are not run."""

from __future__ import annotations

import time

import pytest

from market.services import candles as candle_service
from market.services.candles import candles_ingest
from tests.trading.factories import BTC, ETH, EXCHANGE, seed_candles
from trading.models import SignalScan

pytestmark = pytest.mark.integration
TIMEOUT = 60


def test_a_stored_closed_candle_runs_exactly_its_series(celery_worker_process, settings, monkeypatch):
    settings.FLAXU_SIGNAL_SYMBOLS = [BTC, ETH]
    monkeypatch.setitem(candle_service.BACKFILL, "5m", 300)
    monkeypatch.setitem(candle_service.BACKFILL, "1m", 300)
    seed_candles(500, symbol=ETH)  # a followed series with candles but none newly closed: not run
    candles_ingest(EXCHANGE, BTC, "1m", push=False)  # 1m is not followed: no run
    stored = candles_ingest(EXCHANGE, BTC, "5m", push=False)
    assert stored.new == 300

    deadline = time.monotonic() + TIMEOUT
    while not SignalScan.objects.filter(analysed_until__isnull=False).exists():
        assert time.monotonic() < deadline, "the worker did not run the signals task"
        time.sleep(0.2)
    time.sleep(1.0)  # room for a wrongly queued run to land too
    scans = list(SignalScan.objects.values_list("exchange", "symbol", "timeframe", "analysed_until"))
    assert scans == [(EXCHANGE, BTC, "5m", stored.last)]
