"""The live source against the fake BingX (real ccxt over HTTP; other exchanges are never called here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from market import exchanges
from market.models import Candle
from market.selectors import snapshots as selectors
from market.selectors.candles import candle_frame
from market.services import snapshots as service
from market.services.candles import candles_ingest
from market.sources import get_source
from market.sources.live import LiveSource

from .conftest import BTC

FAKE_SYMBOLS = ["BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT", "XRP/USDT:USDT", "BNB/USDT:USDT", "DOGE/USDT:USDT"]


@pytest.fixture
def live(gateway, settings):
    settings.FLAXU_MARKET_SOURCE = "live"
    settings.FLAXU_MARKET_EXCHANGES = ["bingx"]
    settings.FLAXU_EXCHANGE_RETRIES = 0
    source = get_source()
    assert isinstance(source, LiveSource)
    return source


def test_the_live_source_is_not_a_demo_and_runs_on_the_wall_clock(live):
    assert (live.name, live.is_demo) == ("live", False)
    assert abs(live.now() - datetime.now(UTC)) < timedelta(seconds=2)
    assert live.exchanges() == ["bingx"]


def test_the_universe_is_the_followed_list_the_exchange_lists(live):
    assert live.universe() == FAKE_SYMBOLS


def test_prices_books_and_derivatives_come_from_the_exchange(live):
    assert live.tickers("bingx")[BTC].last == Decimal("65000")
    book = live.order_book("bingx", BTC, 20)
    assert len(book.bids) == 20 and book.bids[0][0] < book.asks[0][0]
    assert live.funding_rates("bingx")[BTC].rate == Decimal("0.0001")
    assert live.open_interest("bingx", BTC).value == Decimal("3289641547.1")
    assert live.markets("bingx")[BTC].price_step == Decimal("0.1")
    assert live.taker_fee("bingx", BTC) == Decimal("0.0005")
    with pytest.raises(exchanges.NotOffered):
        live.long_short_ratio("bingx", BTC)
    with pytest.raises(exchanges.NotOffered):
        live.liquidations(live.now() - timedelta(hours=1))
    with pytest.raises(exchanges.InvalidRequest, match="Unknown exchange 'okx'"):
        live.tickers("okx")


@pytest.mark.django_db
def test_candles_are_ingested_page_by_page_closed_only_and_holes_refilled(live):
    result = candles_ingest("bingx", BTC, "1h", push=False)
    assert result.new == 120 * 24
    frame = candle_frame("bingx", BTC, "1h")
    assert frame.index.is_monotonic_increasing and (frame.index.to_series().diff().dropna() == timedelta(hours=1)).all()
    this_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    assert frame.index[-1] == this_hour - timedelta(hours=1)  # the forming hour is not stored

    rows = Candle.objects.filter(exchange="bingx", symbol=BTC, timeframe="1h")
    rows.filter(open_time__gte=this_hour - timedelta(hours=30), open_time__lt=this_hour - timedelta(hours=20)).delete()
    if datetime.now(UTC) < this_hour + timedelta(minutes=59, seconds=50):  # not across an hour change
        again = candles_ingest("bingx", BTC, "1h", push=False)
        assert again.repaired == 10 and rows.count() == 120 * 24


@pytest.mark.django_db
def test_an_exchange_outage_keeps_the_last_snapshot_marked_stale(live, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert service.tickers_refresh() == {"bingx": True}
    good = selectors.tickers("bingx").data
    assert good[BTC].last == Decimal("65000")

    gateway.inject("/openApi/swap/v2/quote/ticker", "http_500", count=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert service.tickers_refresh() == {"bingx": False}

    snap = selectors.tickers("bingx")
    assert snap.stale and snap.data == good and snap.error and snap.stale_since is not None

    gateway.clear_faults()
    exchanges.reset_process_state()  # close the breaker the outage may have opened
    service.tickers_refresh()
    assert not selectors.tickers("bingx").stale


@pytest.mark.django_db
def test_bingx_snapshots_say_long_short_and_liquidations_are_not_offered(live):
    service.long_short_refresh()
    service.liquidations_refresh()
    assert not selectors.long_short("bingx").offered
    assert not selectors.liquidations().offered and not selectors.liquidations().stale
