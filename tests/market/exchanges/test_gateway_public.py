"""Public market data from the fake BingX, and how clients for every exchange are built (no network)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import ccxt
import pytest

from market import exchanges
from market.exchanges import ApiCredentials, clients

from .conftest import BTC


def test_markets_are_linear_swaps_with_limits_precision_and_fees(gateway):
    markets = {m.symbol: m for m in exchanges.markets("bingx")}

    btc = markets[BTC]
    assert (btc.id, btc.base, btc.quote, btc.settle, btc.type) == ("BTC-USDT", "BTC", "USDT", "USDT", "swap")
    assert btc.amount_step == Decimal("0.0001") and btc.price_step == Decimal("0.1")
    assert btc.min_amount == Decimal("0.0001")
    assert (btc.maker_fee, btc.taker_fee) == (Decimal("0.0002"), Decimal("0.0005"))


def test_markets_are_loaded_once_per_process(gateway):
    exchanges.markets("bingx")
    loads = len(gateway.requests_to("/openApi/swap/v2/quote/contracts"))

    exchanges.markets("bingx")
    exchanges.tickers("bingx", [BTC])

    assert len(gateway.requests_to("/openApi/swap/v2/quote/contracts")) == loads


def test_tickers(gateway):
    tickers = exchanges.tickers("bingx")

    assert tickers[BTC].last == Decimal("65000")
    assert tickers[BTC].bid < tickers[BTC].ask


def test_order_book_depth(gateway):
    book = exchanges.order_book("bingx", BTC, 5)

    assert len(book.bids) == len(book.asks) == 5
    assert book.bids[0][0] < book.asks[0][0]
    assert book.bids[0][0] > book.bids[1][0]


def test_ohlcv_candles(gateway):
    since = datetime.now(UTC) - timedelta(hours=5)

    candles = exchanges.ohlcv("bingx", BTC, "1h", since=since, limit=3)

    assert 1 <= len(candles) <= 3
    assert all(c.low <= c.open <= c.high and c.low <= c.close <= c.high for c in candles)
    assert candles == sorted(candles, key=lambda c: c.time)


def test_an_unknown_timeframe_is_an_invalid_request(gateway):
    with pytest.raises(exchanges.InvalidRequest):
        exchanges.ohlcv("bingx", BTC, "7m")


def test_funding_rates_and_open_interest(gateway):
    rates = exchanges.funding_rates("bingx", [BTC])
    interest = exchanges.open_interest("bingx", BTC)

    assert rates[BTC].rate == Decimal("0.0001")
    assert rates[BTC].next_funding_time > datetime.now(UTC)
    assert interest.value == Decimal("3289641547.1")


def test_bingx_long_short_ratio_is_not_offered_and_sends_nothing(gateway):
    with pytest.raises(exchanges.NotOffered, match="bingx does not publish long/short ratios"):
        exchanges.long_short_ratio("bingx", BTC, "1h")

    assert gateway.requests == []


@pytest.mark.parametrize("exchange", ["binanceusdm", "okx", "bybit"])
def test_the_other_exchanges_offer_long_short_ratios(exchange):
    assert clients.offers(exchange, "fetchLongShortRatioHistory")


def test_an_unknown_exchange_is_an_invalid_request():
    with pytest.raises(exchanges.InvalidRequest):
        exchanges.markets("kraken")


@pytest.mark.parametrize(("exchange", "default_type"), [("binanceusdm", "future"), ("okx", "swap"), ("bybit", "swap")])
def test_public_clients_are_built_for_perpetuals_with_our_timeout_and_a_quiet_logger(settings, exchange, default_type):
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 4321

    client = clients.build(exchange, None)

    assert isinstance(client, getattr(ccxt, exchange))
    assert client.enableRateLimit is True
    assert client.timeout == 4321
    assert client.options["defaultType"] == default_type
    assert client.verbose is False
    assert not isinstance(client.logger, logging.Logger)


def test_every_bingx_api_section_and_agent_point_at_flaxu_bingx_url(settings):
    settings.FLAXU_BINGX_URL = "http://127.0.0.1:9/openApi/"

    client = clients.build("bingx", None)

    assert "agent" in client.urls["api"]
    assert set(client.urls["api"].values()) == {"http://127.0.0.1:9/openApi"}
    assert client.options["defaultType"] == "swap"


def test_without_an_override_bingx_keeps_its_hosts_and_gains_the_agent_section(settings):
    settings.FLAXU_BINGX_URL = ""

    real = clients.build("bingx", None)
    demo = clients.build("bingx", ApiCredentials(api_key="k" * 20, secret="s" * 20, sandbox=True), sandbox=True)

    assert real.urls["api"]["agent"] == real.urls["api"]["swap"] == "https://open-api.{hostname}/openApi"
    assert demo.urls["api"]["swap"] == "https://open-api-vst.{hostname}/openApi"
    assert demo.options["sandboxMode"] is True


def test_demo_trading_is_bingx_only():
    with pytest.raises(exchanges.InvalidRequest):
        clients.build("okx", None, sandbox=True)


def test_clients_are_reused_per_credential_and_share_the_endpoints_markets(gateway, creds):
    first = clients.client("bingx", creds)
    again = clients.client("bingx", creds)
    other = clients.client("bingx", ApiCredentials(api_key="o" * 20, secret="p" * 20))

    assert first is again and first is not other
    assert first.markets is other.markets
    assert first.apiKey == creds.api_key
