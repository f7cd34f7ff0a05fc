"""Live pushes: tickers go to market.tickers and ticker.<symbol>, closed candles to
market.candles.<symbol>.<tf>, with plain JSON, at most one push per group per coalescing window."""

from __future__ import annotations

import time

import pytest

from market.services.candles import candles_ingest
from market.services.live import push_coalesced
from market.services.snapshots import tickers_refresh

from .conftest import BTC

pytestmark = pytest.mark.django_db(transaction=True)

TICKERS, BTC_GROUP = "market.tickers", "ticker.btc-usdt-usdt"


def test_two_refreshes_within_the_window_push_once_per_group(replay, pushes, settings):
    settings.FLAXU_PUSH_COALESCE_SECONDS = 30
    pushes.watch(TICKERS, BTC_GROUP)
    tickers_refresh(source=replay)
    replay.wall.advance(2)
    tickers_refresh(source=replay)
    assert pushes.count(TICKERS) == 1
    assert pushes.count(BTC_GROUP) == 1


def test_after_the_window_the_next_refresh_pushes_again(replay, pushes, settings):
    settings.FLAXU_PUSH_COALESCE_SECONDS = 0.3
    pushes.watch(TICKERS, BTC_GROUP)
    tickers_refresh(source=replay)
    time.sleep(0.4)
    replay.wall.advance(10)
    tickers_refresh(source=replay)
    events = pushes.events(BTC_GROUP)
    assert len(events) == 2
    assert events[0]["data"]["prices"]["okx"]["last"] != events[1]["data"]["prices"]["okx"]["last"]


def test_ticker_payloads_are_plain_json(replay, pushes, settings):
    settings.FLAXU_PUSH_COALESCE_SECONDS = 30
    pushes.watch(TICKERS, BTC_GROUP)
    tickers_refresh(source=replay)
    event = pushes.events(BTC_GROUP)[0]
    assert event["type"] == "ticker"
    data = event["data"]
    assert data["symbol"] == BTC and data["demo"] is True and set(data["prices"]) == set(replay.exchanges())
    row = data["prices"]["bingx"]
    assert set(row) == {"last", "bid", "ask", "change_percent", "quote_volume", "stale"}
    assert isinstance(row["last"], str) and float(row["bid"]) < float(row["ask"]) and row["stale"] is False
    assert data["source_time"].startswith("2026-03-10T12:00:30")
    board = pushes.events(TICKERS)[0]
    assert board["type"] == "tickers" and len(board["data"]["exchanges"]["okx"]) == 30


def test_newly_closed_candles_are_pushed_to_their_chart_group(replay, pushes, settings):
    settings.FLAXU_PUSH_COALESCE_SECONDS = 0
    group = "market.candles.btc-usdt-usdt.1m"
    pushes.watch(group)
    candles_ingest("bingx", BTC, "1m", replay)
    replay.wall.advance(180)
    candles_ingest("bingx", BTC, "1m", replay)
    events = pushes.events(group)
    assert [e["type"] for e in events] == ["candles", "candles"]
    assert len(events[0]["data"]["candles"]) == 50  # the latest 50 of the backfill
    latest = events[1]["data"]
    assert (latest["exchange"], latest["symbol"], latest["timeframe"]) == ("bingx", BTC, "1m")
    assert [c["time"] for c in latest["candles"]] == [
        "2026-03-10T12:00:00Z",
        "2026-03-10T12:01:00Z",
        "2026-03-10T12:02:00Z",
    ]
    assert isinstance(latest["candles"][0]["close"], str)


def test_the_window_is_shared_through_the_cache(pushes, settings):
    """Another process (same cache) that pushed a moment ago holds this one back too."""
    settings.FLAXU_PUSH_COALESCE_SECONDS = 30
    group = "market.test"
    pushes.watch(group)
    from django.core.cache import cache

    cache.set(f"market:push:{group}", time.time(), timeout=31)  # what the other process left
    assert push_coalesced(group, "test", {"n": 1}) is False
    assert pushes.count(group) == 0
    settings.FLAXU_PUSH_COALESCE_SECONDS = 0
    assert push_coalesced(group, "test", {"n": 2}) is True
    assert [e["data"] for e in pushes.events(group)] == [{"n": 2}]
