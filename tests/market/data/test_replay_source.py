"""The replay source: the simulator behind the MarketSource interface, on a clock that plays forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from market import exchanges
from market.simulator import ReplayClock
from market.sources import get_source
from market.sources.base import MarketSource
from market.sources.replay import ReplaySource

from .conftest import BTC, ETH, T0, ManualClock, replay_source


def test_the_replay_is_a_market_source_marked_demo(replay):
    assert isinstance(replay, MarketSource)
    assert (replay.name, replay.is_demo) == ("replay", True)
    assert replay.exchanges() == ["bingx", "binanceusdm", "okx", "bybit"]
    assert len(replay.universe()) == 30 and BTC in replay.universe()


def test_the_clock_plays_forward_at_the_configured_speed():
    wall = ManualClock(1000.0)
    clock = ReplayClock(speed=60, anchor=T0.timestamp(), start=1000.0, wall=wall)
    assert clock.now() == T0.timestamp()
    wall.advance(10)
    assert clock.now() == T0.timestamp() + 600  # 10 s of wall time are 10 replay minutes


def test_at_normal_speed_the_replay_clock_is_the_wall_clock(settings):
    settings.FLAXU_REPLAY_SPEED = 1.0
    now = get_source().now()
    assert abs((now - datetime.now(UTC)).total_seconds()) < 2


def test_a_fast_replay_shares_its_start_between_processes(settings):
    """The start lives in the shared cache: a second process (a new source) continues the same clock."""
    settings.FLAXU_REPLAY_SPEED = 100.0
    first = get_source()
    from market.sources import reset_source

    reset_source()
    second = get_source()
    assert second is not first
    assert abs((second.now() - first.now()).total_seconds()) < 5
    assert first.now() > datetime.now(UTC)  # ahead of the wall clock


def test_get_source_is_cached_and_follows_the_settings(settings):
    assert get_source() is get_source()
    settings.FLAXU_REPLAY_SEED = 99
    assert get_source().seed == 99


def test_closed_candles_never_change_as_time_goes_on(replay):
    since = T0 - timedelta(hours=3)
    before = replay.ohlcv("bingx", BTC, "5m", since=since)
    replay.wall.advance(6 * 3600)
    after = replay.ohlcv("bingx", BTC, "5m", since=since, limit=len(before))
    assert after[:-1] == before[:-1]  # the last one was still forming at T0
    assert before[-1].time == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert after[-1] != before[-1] and after[-1].open == before[-1].open


def test_ohlcv_without_since_ends_with_the_forming_candle(replay):
    candles = replay.ohlcv("okx", ETH, "1m", limit=10)
    assert len(candles) == 10
    assert candles[-1].time == T0.replace(second=0)
    assert [c.time for c in candles] == sorted(c.time for c in candles)
    step = candles[0].high.as_tuple().exponent
    assert all(c.close.as_tuple().exponent == step for c in candles)  # on the market's price step
    assert replay.ohlcv("okx", ETH, "1m", since=T0 + timedelta(minutes=5)) == []


def test_tickers_books_and_derivatives_come_as_gateway_types(replay):
    tickers = replay.tickers("bybit")
    btc = tickers[BTC]
    assert isinstance(btc, exchanges.Ticker) and btc.bid < btc.ask and btc.time == T0
    assert btc.quote_volume > Decimal("1e8")

    book = replay.order_book("bybit", BTC, 20)
    assert len(book.bids) == len(book.asks) == 20 and book.bids[0][0] == btc.bid

    funding = replay.funding_rates("okx")[ETH]
    assert funding.interval == "8h" and funding.next_funding_time == datetime(2026, 3, 10, 16, tzinfo=UTC)
    assert replay.open_interest("binanceusdm", BTC).value > 0
    assert replay.long_short_ratio("okx", BTC).ratio > 0
    assert replay.taker_fee("bybit", BTC) == Decimal("0.00055")
    markets = replay.markets("okx")
    assert markets[BTC].id == "BTC-USDT-SWAP" and markets[BTC].price_step == Decimal("0.1")


def test_bingx_publishes_no_long_short_ratio(replay):
    with pytest.raises(exchanges.NotOffered):
        replay.long_short_ratio("bingx", BTC)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.ohlcv("bingx", BTC, "7m"), "no '7m' candles"),
        (lambda s: s.ohlcv("kraken", BTC, "1m"), "Unknown exchange 'kraken'"),
        (lambda s: s.order_book("bingx", "NOPE/USDT:USDT"), "no market 'NOPE/USDT:USDT'"),
        (lambda s: s.ohlcv("bingx", BTC, "1m", since=datetime(2026, 1, 1)), "timezone-aware"),
    ],
)
def test_bad_requests_are_the_gateways_invalid_request(replay, call, message):
    with pytest.raises(exchanges.InvalidRequest, match=message):
        call(replay)


def test_liquidations_are_events_before_now(replay):
    events = replay.liquidations(T0 - timedelta(minutes=30))
    assert events and all(T0 - timedelta(minutes=30) <= e.time < T0 for e in events)
    assert {e.side for e in events} <= {"long", "short"}
    assert all(e.value > 0 and e.exchange in replay.exchanges() for e in events)


def test_two_sources_with_the_same_seed_agree():
    a, b = replay_source(seed=11), replay_source(seed=11)
    assert a.tickers("bingx") == b.tickers("bingx")
    assert a.order_book("okx", BTC) == b.order_book("okx", BTC)
    assert replay_source(seed=12).tickers("bingx")[BTC] != a.tickers("bingx")[BTC]


def test_the_configured_exchanges_are_served(settings):
    source = ReplaySource(seed=1, exchanges=["bingx", "okx"])
    assert source.exchanges() == ["bingx", "okx"]
    with pytest.raises(exchanges.InvalidRequest):
        source.tickers("bybit")
