"""Ingestion: closed candles only, incremental from the last stored one, holes found and refilled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache

from market.models import Candle
from market.selectors.candles import candle_frame, candle_open_times
from market.services import candles as service
from market.services.candles import candles_ingest

from .conftest import BTC, T0, replay_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_backfill(monkeypatch):
    monkeypatch.setitem(service.BACKFILL, "1m", 600)
    monkeypatch.setitem(service.BACKFILL, "5m", 100)


def stored(timeframe="1m"):
    return Candle.objects.filter(exchange="bingx", symbol=BTC, timeframe=timeframe)


def test_a_first_ingest_backfills_closed_candles_only(replay, small_backfill):
    result = candles_ingest("bingx", BTC, "1m", replay, push=False)
    assert result.new == 600 and stored().count() == 600
    newest = stored().order_by("-open_time").first()
    assert newest.open_time == T0.replace(second=0) - timedelta(minutes=1)  # 12:00 is still forming at 12:00:30
    source_candle = replay.ohlcv("bingx", BTC, "1m", since=newest.open_time, limit=1)[0]
    assert (newest.open, newest.high, newest.low, newest.close, newest.volume) == (
        source_candle.open,
        source_candle.high,
        source_candle.low,
        source_candle.close,
        source_candle.volume,
    )


def test_later_ingests_append_only_what_closed_since(replay, small_backfill):
    candles_ingest("bingx", BTC, "1m", replay, push=False)
    assert candles_ingest("bingx", BTC, "1m", replay, push=False).new == 0
    replay.wall.advance(10 * 60)
    result = candles_ingest("bingx", BTC, "1m", replay, push=False)
    assert result.new == 10 and stored().count() == 610
    assert result.last == T0.replace(second=0) + timedelta(minutes=9)


def test_a_long_absence_is_caught_up_page_by_page(replay, small_backfill, monkeypatch):
    monkeypatch.setattr(service, "PAGE", 100)
    candles_ingest("bingx", BTC, "1m", replay, push=False)
    replay.wall.advance(12 * 3600)
    assert candles_ingest("bingx", BTC, "1m", replay, push=False).new == 720
    times = candle_open_times("bingx", BTC, "1m")
    assert (times[1:] - times[:-1] == 60).all()


def test_deleted_ranges_are_refilled_with_the_same_values(replay, small_backfill):
    candles_ingest("bingx", BTC, "1m", replay, push=False)
    before = candle_frame("bingx", BTC, "1m")
    first = before.index[0].to_pydatetime()
    stored().filter(
        open_time__gte=first + timedelta(minutes=100), open_time__lt=first + timedelta(minutes=130)
    ).delete()
    stored().filter(open_time=first + timedelta(minutes=400)).delete()
    assert stored().count() == 600 - 31

    result = candles_ingest("bingx", BTC, "1m", replay, push=False)

    assert (result.new, result.repaired) == (0, 31)
    after = candle_frame("bingx", BTC, "1m")
    assert after.equals(before)


def test_only_recent_holes_are_looked_for_unless_asked_for_all(replay, small_backfill):
    candles_ingest("bingx", BTC, "1m", replay, push=False)
    first = stored().order_by("open_time").first().open_time
    stored().filter(open_time=first + timedelta(minutes=5)).delete()
    assert candles_ingest("bingx", BTC, "1m", replay, repair_lookback=60, push=False).repaired == 0
    assert candles_ingest("bingx", BTC, "1m", replay, repair_lookback=None, push=False).repaired == 1
    assert stored().count() == 600


def test_a_hole_the_source_cannot_fill_is_not_asked_for_again(replay, small_backfill):
    candles_ingest("bingx", BTC, "1m", replay, push=False)
    first = stored().order_by("open_time").first().open_time
    stored().filter(open_time=first + timedelta(minutes=5)).delete()
    asked = []

    class Forgetful:
        """The replay, except that it has lost a minute (an exchange outage that was never backfilled)."""

        def __getattr__(self, name):
            return getattr(replay, name)

        def ohlcv(self, exchange, symbol, timeframe, since=None, limit=None):
            asked.append(since)
            return [c for c in replay.ohlcv(exchange, symbol, timeframe, since, limit) if c.time != since]

    hole = first + timedelta(minutes=5)
    assert candles_ingest("bingx", BTC, "1m", Forgetful(), push=False).repaired == 0
    assert asked == [hole]  # nothing new had closed; the hole was asked for once
    candles_ingest("bingx", BTC, "1m", Forgetful(), push=False)
    assert asked == [hole]  # and is now remembered as unfillable
    cache.delete(f"market:candles:unfillable:bingx:{BTC}:1m:{int(hole.timestamp())}")
    assert candles_ingest("bingx", BTC, "1m", replay, push=False).repaired == 1  # later, it can be filled


def test_higher_timeframes_are_stored_as_the_source_aggregates_them(replay, small_backfill):
    candles_ingest("bingx", BTC, "5m", replay, push=False)
    candles_ingest("bingx", BTC, "1m", replay, push=False)
    five = candle_frame("bingx", BTC, "5m")
    one = candle_frame("bingx", BTC, "1m")
    hour = five.index[-3]
    minutes = one.loc[hour : hour + timedelta(minutes=4)]
    assert five.loc[hour, "high"] == minutes["high"].max()
    assert five.loc[hour, "close"] == minutes["close"].iloc[-1]
    assert five.index[-1] == T0.replace(second=0) - timedelta(minutes=5)


def test_an_unknown_timeframe_is_refused(replay):
    from market.exchanges import InvalidRequest

    with pytest.raises(InvalidRequest, match="Unknown timeframe '2h'"):
        candles_ingest("bingx", BTC, "2h", replay)


def test_the_same_ingest_in_two_sources_with_one_seed_stores_identical_rows():
    first, second = replay_source(seed=3), replay_source(seed=3)
    service.candles_upsert("okx", BTC, "1h", first.ohlcv("okx", BTC, "1h", limit=48)[:-1])
    frame = candle_frame("okx", BTC, "1h")
    service.candles_upsert("okx", BTC, "1h", second.ohlcv("okx", BTC, "1h", limit=48)[:-1])
    assert candle_frame("okx", BTC, "1h").equals(frame)


def test_newly_closed_candles_are_announced_to_other_apps(replay, small_backfill):
    from market.signals import candles_closed

    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    candles_closed.connect(receiver)
    try:
        candles_ingest("bingx", BTC, "1m", replay, push=False)
        candles_ingest("bingx", BTC, "1m", replay, push=False)  # nothing new: no signal
    finally:
        candles_closed.disconnect(receiver)
    assert len(heard) == 1
    assert heard[0]["exchange"] == "bingx" and heard[0]["timeframe"] == "1m"
    assert heard[0]["last"] == T0.replace(second=0) - timedelta(minutes=1)
