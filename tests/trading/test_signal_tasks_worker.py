"""The beat tick fans out one task per due series; a real Celery worker runs them and saves the signals."""

from __future__ import annotations

import time

import pytest

from tests.trading.factories import BTC, seed_candles
from trading.models import Signal, SignalScan
from trading.tasks import run_signals_due

pytestmark = pytest.mark.integration
TIMEOUT = 60


def test_the_beat_tick_queues_due_series_and_the_worker_saves_their_signals(celery_worker_process):
    seed_candles(1500)
    assert run_signals_due() == 1  # BTC 5m has closed candles never analysed
    assert run_signals_due() == 0  # already queued: not queued twice

    deadline = time.monotonic() + TIMEOUT
    while not SignalScan.objects.filter(symbol=BTC, analysed_until__isnull=False).exists():
        assert time.monotonic() < deadline, "the worker did not run the signals task"
        time.sleep(0.3)
    assert Signal.objects.filter(symbol=BTC, timeframe="5m").exists()
    time.sleep(0.5)
    assert run_signals_due() == 0  # analysed up to the newest closed candle
