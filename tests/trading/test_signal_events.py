"""A stored closed candle queues a signal run after commit, only for a series the engine follows."""

from __future__ import annotations

import pytest
from django.db import transaction

from market.services import candles as candle_service
from market.services.candles import candles_ingest
from tests.trading.factories import BTC, ETH, EXCHANGE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_backfill(monkeypatch):
    for timeframe in ("1m", "5m"):
        monkeypatch.setitem(candle_service.BACKFILL, timeframe, 80)


def queued(capture, *series) -> int:
    with capture() as callbacks:
        for exchange, symbol, timeframe in series:
            candles_ingest(exchange, symbol, timeframe, push=False)
    return len(callbacks)


def test_only_followed_series_queue_a_run_and_only_on_commit(django_capture_on_commit_callbacks):
    assert queued(django_capture_on_commit_callbacks, (EXCHANGE, BTC, "5m")) == 1
    assert queued(django_capture_on_commit_callbacks, (EXCHANGE, BTC, "5m")) == 0  # nothing newly closed
    assert queued(django_capture_on_commit_callbacks, (EXCHANGE, BTC, "1m"), (EXCHANGE, ETH, "5m")) == 0


def test_a_rolled_back_ingest_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                candles_ingest(EXCHANGE, BTC, "5m", push=False)
                raise RuntimeError("the ingest's transaction fails")
        except RuntimeError:
            pass
    assert callbacks == []
