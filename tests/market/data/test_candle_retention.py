"""Retention: candles older than their timeframe's retention are deleted; 0 keeps them forever."""

from __future__ import annotations

from datetime import timedelta

import pytest

from market.models import Candle
from market.services.candles import candles_prune, candles_upsert
from market.sources import get_source

from .conftest import BTC, T0

pytestmark = pytest.mark.django_db


def seed_rows(replay, timeframe, limit):
    candles_upsert("bingx", BTC, timeframe, replay.ohlcv("bingx", BTC, timeframe, limit=limit)[:-1])


def test_old_candles_go_per_timeframe(replay, settings):
    settings.FLAXU_CANDLE_RETENTION_DAYS = {"1m": 1, "5m": 2, "15m": 0, "1h": 0, "1d": 0}
    seed_rows(replay, "1m", 1500)  # a little over a day
    seed_rows(replay, "5m", 1000)  # about 3.5 days
    seed_rows(replay, "1h", 200)

    deleted = candles_prune(now=T0)

    assert set(deleted) == {"1m", "5m"}
    cutoff_1m, cutoff_5m = T0 - timedelta(days=1), T0 - timedelta(days=2)
    assert not Candle.objects.filter(timeframe="1m", open_time__lt=cutoff_1m).exists()
    assert Candle.objects.filter(timeframe="1m").count() == 1439  # 12:00:00 is older than 12:00:30 yesterday
    assert not Candle.objects.filter(timeframe="5m", open_time__lt=cutoff_5m).exists()
    assert Candle.objects.filter(timeframe="5m", open_time__gte=cutoff_5m).count() == 575
    assert Candle.objects.filter(timeframe="1h").count() == 199  # kept forever
    assert deleted["1m"] == 1499 - 1439


def test_without_a_time_the_configured_sources_clock_decides(replay, settings):
    settings.FLAXU_CANDLE_RETENTION_DAYS = {"1m": 1, "5m": 0, "15m": 0, "1h": 0, "1d": 0}
    source = get_source()
    candles_upsert("okx", BTC, "1m", source.ohlcv("okx", BTC, "1m", limit=100)[:-1])  # the last 100 minutes
    seed_rows(replay, "1m", 100)  # March 2026, long before
    candles_prune()
    assert set(Candle.objects.values_list("exchange", flat=True)) == {"okx"}
    assert Candle.objects.count() == 99
