"""Snapshots in the cache: refreshed from the source, read with their freshness; an exchange that fails
keeps its last data, marked stale since the failure, while the others carry on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from market import exchanges
from market.selectors import snapshots as selectors
from market.services import snapshots as service
from market.sources.replay import ReplaySource

from .conftest import BTC, replay_source

pytestmark = pytest.mark.django_db


class FlakySource(ReplaySource):
    """The replay, with exchanges the test takes down (an outage at the exchange, as the gateway reports it)."""

    down: set[str]

    def _outage(self, exchange: str) -> None:
        if exchange in self.down:
            raise exchanges.ExchangeUnavailable(f"{exchange}: 503 Service Unavailable")

    def tickers(self, exchange):
        self._outage(exchange)
        return super().tickers(exchange)

    def order_book(self, exchange, symbol, depth=20):
        self._outage(exchange)
        return super().order_book(exchange, symbol, depth)

    def funding_rates(self, exchange):
        self._outage(exchange)
        return super().funding_rates(exchange)


@pytest.fixture
def flaky(wall):
    source = replay_source(wall=wall)
    source.__class__ = FlakySource
    source.down = set()
    return source


def test_before_any_refresh_snapshots_are_empty_and_stale():
    snap = selectors.tickers("bingx")
    assert snap.data == {} and snap.stale and snap.updated_at is None and snap.stale_since is None


def test_refresh_all_fills_every_snapshot(replay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        service.snapshots_refresh_all(source=replay)
    for exchange in replay.exchanges():
        tickers = selectors.tickers(exchange)
        assert not tickers.stale and tickers.source_time == replay.now() and len(tickers.data) == 30
        assert len(selectors.order_books(exchange).data) == 30
        assert selectors.order_books(exchange).data[BTC].bids[0][0] == tickers.data[BTC].bid
        assert len(selectors.funding(exchange).data) == 30
        assert len(selectors.open_interest(exchange).data) == 30
        assert selectors.markets_meta(exchange).data[BTC].taker_fee > 0
    assert len(selectors.long_short("okx").data) == 30
    assert selectors.liquidations().data and not selectors.liquidations().stale


def test_bingx_long_short_is_not_offered_rather_than_stale(replay):
    service.long_short_refresh(source=replay)
    snap = selectors.long_short("bingx")
    assert not snap.offered and not snap.stale and snap.data == {}
    assert selectors.long_short("bybit").offered


def test_a_failing_exchange_keeps_its_last_data_marked_stale(flaky, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        service.tickers_refresh(source=flaky)
        service.order_books_refresh(source=flaky)
    last_okx = selectors.tickers("okx").data
    flaky.down.add("okx")
    flaky.wall.advance(5)

    with django_capture_on_commit_callbacks(execute=True):
        done = service.tickers_refresh(source=flaky)
        service.order_books_refresh(source=flaky)

    assert done == {"bingx": True, "binanceusdm": True, "okx": False, "bybit": True}
    okx = selectors.tickers("okx")
    assert okx.data == last_okx and okx.stale
    assert okx.error == "okx: 503 Service Unavailable"
    assert okx.stale_since is not None and okx.stale_since <= datetime.now(UTC)
    assert selectors.order_books("okx").stale and selectors.order_books("okx").data[BTC]
    bybit = selectors.tickers("bybit")
    assert not bybit.stale and bybit.source_time == flaky.now()
    assert bybit.data[BTC] != selectors.tickers("okx").data[BTC]

    # Still failing later: stale since the first failure, not the latest one.
    since = okx.stale_since
    service.tickers_refresh(source=flaky)
    assert selectors.tickers("okx").stale_since == since

    flaky.down.clear()
    service.tickers_refresh(source=flaky)
    recovered = selectors.tickers("okx")
    assert not recovered.stale and recovered.error is None and recovered.stale_since is None


def test_an_exchange_failing_from_the_start_has_no_data_and_says_why(flaky):
    flaky.down.add("bybit")
    service.funding_refresh(source=flaky)
    snap = selectors.funding("bybit")
    assert snap.data == {} and snap.stale and "503" in snap.error
    assert not selectors.funding("okx").stale


def test_data_older_than_its_ttl_is_stale(replay, settings):
    service.funding_refresh(source=replay)
    assert not selectors.funding("okx").stale
    settings.FLAXU_TTL_FUNDING = 0
    snap = selectors.funding("okx")
    assert snap.stale and snap.stale_since == snap.updated_at and snap.error is None
    assert snap.age_seconds >= 0


def test_source_info_names_the_source_and_its_clock(settings):
    info = selectors.source_info()
    assert info["name"] == "replay" and info["is_demo"] is True
    assert abs(info["now"] - datetime.now(UTC)) < timedelta(seconds=5)
    assert "seed 42" in info["detail"]
    assert selectors.exchanges() == ["bingx", "binanceusdm", "okx", "bybit"]
    assert len(selectors.universe()) == 30


def test_snapshots_hold_decimal_gateway_types(replay):
    service.open_interest_refresh(source=replay)
    oi = selectors.open_interest("binanceusdm").data[BTC]
    assert isinstance(oi, exchanges.OpenInterest) and isinstance(oi.value, Decimal)


def test_an_unexpected_error_on_one_exchange_does_not_stop_the_others(flaky, monkeypatch, caplog):
    original = ReplaySource.funding_rates

    def broken(self, exchange):
        if exchange == "binanceusdm":
            raise KeyError("fundingRate")  # an answer nobody foresaw
        return original(self, exchange)

    monkeypatch.setattr(FlakySource, "funding_rates", broken)
    assert service.funding_refresh(source=flaky) == {"bingx": True, "binanceusdm": False, "okx": True, "bybit": True}
    assert selectors.funding("binanceusdm").error == "unexpected error (logged)"
    assert "binanceusdm failed unexpectedly" in caplog.text
