"""Beat drives the refreshes: default schedules exist, and the thin tasks do their work through services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django_celery_beat.models import PeriodicTask

from flaxu.celery import app as celery_app
from market.models import Candle
from market.selectors import snapshots as selectors
from market.tasks import ingest_candles, prune_candles, refresh_derivatives, refresh_order_books, refresh_tickers

pytestmark = pytest.mark.django_db

SCHEDULED = {
    "market.tasks.refresh.refresh_tickers",
    "market.tasks.refresh.refresh_order_books",
    "market.tasks.refresh.refresh_derivatives",
    "market.tasks.refresh.refresh_liquidations",
    "market.tasks.refresh.refresh_markets",
    "market.tasks.refresh.ingest_candles",
    "market.tasks.refresh.prune_candles",
    "market.tasks.refresh.repair_candles",
}


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_default_schedules_point_at_registered_tasks():
    tasks = set(PeriodicTask.objects.filter(task__startswith="market.tasks.refresh.").values_list("task", flat=True))
    assert tasks == SCHEDULED
    assert set(celery_app.tasks) >= SCHEDULED
    tickers = PeriodicTask.objects.get(task="market.tasks.refresh.refresh_tickers")
    assert (tickers.interval.every, tickers.interval.period, tickers.enabled) == (5, "seconds", True)


def test_refresh_tasks_fill_the_snapshots(eager):
    refresh_tickers.apply().get()
    refresh_order_books.apply().get()  # fans out one task per exchange
    refresh_derivatives.apply().get()
    for exchange in selectors.exchanges():
        assert not selectors.tickers(exchange).stale
        assert len(selectors.order_books(exchange).data) == 30
        assert not selectors.funding(exchange).stale


def test_candles_are_ingested_once_per_closed_candle(eager, settings, tmp_path):
    """A one-symbol CSV replay keeps the universe small; every timeframe is due on the first run."""
    start = datetime(2024, 5, 1, tzinfo=UTC)
    rows = ["time,open,high,low,close,volume"] + [
        f"{(start + timedelta(hours=h)).isoformat()},100,101,99,100.5,10" for h in range(72)
    ]
    (tmp_path / "one.csv").write_text("\n".join(rows))
    settings.FLAXU_REPLAY_CSV = str(tmp_path / "one.csv")

    due = ingest_candles.apply().get()

    assert due == ["1m", "5m", "15m", "1h", "1d"]
    for timeframe in due:
        assert Candle.objects.filter(exchange="bingx", symbol="BTC/USDT:USDT", timeframe=timeframe).exists(), timeframe
    assert Candle.objects.filter(timeframe="1h").count() == 36  # half the file is history at the start
    assert ingest_candles.apply().get() == []  # nothing closed since


def test_longer_timeframes_are_stored_and_announced_first(eager, settings, tmp_path):
    """A 5m candle that closes with an hourly one is announced after it, so a run it triggers has that hour."""
    from market.signals import candles_closed
    from market.tasks.refresh import ingest_candles_for

    start = datetime(2024, 5, 1, tzinfo=UTC)
    rows = ["time,open,high,low,close,volume"] + [
        f"{(start + timedelta(hours=h)).isoformat()},100,101,99,100.5,10" for h in range(72)
    ]
    (tmp_path / "one.csv").write_text("\n".join(rows))
    settings.FLAXU_REPLAY_CSV = str(tmp_path / "one.csv")
    heard = []

    def receiver(sender, *, timeframe, **kwargs):
        heard.append(timeframe)

    candles_closed.connect(receiver)
    try:
        ingest_candles_for.apply(args=("bingx", "BTC/USDT:USDT", ["1m", "5m", "1h", "15m"])).get()
    finally:
        candles_closed.disconnect(receiver)
    assert heard == ["1h", "15m", "5m", "1m"]


def test_prune_task_applies_retention(eager, settings):
    settings.FLAXU_CANDLE_RETENTION_DAYS = {"1m": 1, "5m": 0, "15m": 0, "1h": 0, "1d": 0}
    Candle.objects.create(
        exchange="bingx",
        symbol="BTC/USDT:USDT",
        timeframe="1m",
        open_time=datetime(2020, 1, 1, tzinfo=UTC),
        open=1,
        high=1,
        low=1,
        close=1,
        volume=1,
    )
    assert prune_candles.apply().get() == {"1m": 1}
