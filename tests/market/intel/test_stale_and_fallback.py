"""A failing provider never blanks a widget: fallback chains, then the last good data "stale since"."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from market.exchanges.types import Ticker
from market.providers.base import Link, ProviderUnavailable, first_good
from market.selectors.snapshots import cache_key
from market.services import intel
from market.services.intel import heatmap
from tests.market.intel.conftest import Answer, fixture_text

MARKETS = "/coins/markets"


def test_the_first_link_that_answers_wins_and_is_remembered():
    def broken():
        raise ProviderUnavailable("primary down")

    fetched = first_good("k", [Link("primary", broken), Link("backup", lambda: [1, 2])], clock=lambda: 1000.0)
    assert (fetched.data, fetched.source, fetched.stale_since) == ([1, 2], "backup", None)
    assert fetched.errors == ("primary: primary down",)
    assert fetched.fetched_at == datetime.fromtimestamp(1000, tz=UTC)


def test_when_every_link_fails_the_last_good_data_is_shown_stale_since_it_was_fetched():
    first_good("k", [Link("primary", lambda: {"v": 1})], clock=lambda: 1000.0)

    def broken():
        raise ProviderUnavailable("down")

    def bug():
        raise ZeroDivisionError

    stale = first_good("k", [Link("primary", broken), Link("backup", bug)], clock=lambda: 5000.0)
    assert stale.data == {"v": 1} and stale.source == "primary"
    assert stale.stale_since == datetime.fromtimestamp(1000, tz=UTC)
    assert stale.errors == ("primary: down", "backup: ZeroDivisionError")
    assert first_good("never", [Link("primary", broken)]).empty


def test_a_real_failing_coingecko_keeps_its_last_data_in_the_top_list(provider_server, live_mode, settings, db):
    settings.FLAXU_COINGECKO_URL = provider_server.url
    settings.COINGECKO_API_KEY = ""
    provider_server.answer(
        MARKETS,
        Answer(body=fixture_text("coingecko_markets_page1.json")),
        Answer(body=fixture_text("coingecko_markets_page2.json")),
        Answer(500, '{"error": "internal"}'),
    )
    fresh = intel.top_coins(per_page=10)
    assert fresh["source"] == "coingecko" and fresh["stale_since"] is None and fresh["total"] == 500
    assert fresh["results"][0]["symbol"] == "BTC"

    cache.delete("market:intel:top_coins")  # the widget's TTL ran out; CoinGecko now answers 500
    stale = intel.top_coins(per_page=10)
    assert stale["source"] == "coingecko" and stale["total"] == 500  # not blank
    assert stale["stale_since"] == fresh["fetched_at"]
    assert any("HTTP 500" in e for e in stale["errors"])
    assert any("no ticker snapshot" in e for e in stale["errors"])  # the fallback had nothing either
    assert len(provider_server.hits(MARKETS)) == 3


def test_without_coingecko_the_top_list_falls_back_to_exchange_volumes(closed_port_url, live_mode, settings, db):
    settings.FLAXU_COINGECKO_URL = closed_port_url
    now = datetime.now(UTC)

    def ticker(exchange, symbol, last, volume):
        return Ticker(exchange, symbol, Decimal(last), None, None, Decimal("1.5"), None, Decimal(volume), now)

    for exchange, volumes in (("binanceusdm", ("900", "300")), ("okx", ("100", "800"))):
        data = {
            "BTC/USDT:USDT": ticker(exchange, "BTC/USDT:USDT", "97000", volumes[0]),
            "1000PEPE/USDT:USDT": ticker(exchange, "1000PEPE/USDT:USDT", "0.018", volumes[1]),
        }
        cache.set(cache_key("tickers", exchange), {"data": data, "updated_at": now, "offered": True}, 60)
    listing = intel.top_coins(per_page=10)
    assert listing["source"] == "exchange volumes" and listing["stale_since"] is None
    assert [(c["symbol"], c["rank"], c["volume_24h"]) for c in listing["results"]] == [
        ("PEPE", 1, 1100.0),
        ("BTC", 2, 1000.0),
    ]
    pepe = listing["results"][0]
    assert pepe["price"] == pytest.approx(0.000018) and pepe["market_cap"] is None and pepe["live"]
    assert any("unreachable" in e for e in listing["errors"])


def test_fear_and_greed_keeps_its_last_value_through_a_429(provider_server, live_mode, settings, db):
    settings.FLAXU_ALTERNATIVE_ME_URL = provider_server.url
    provider_server.answer(
        "/fng/", Answer(body=fixture_text("alternative_me_fng.json")), Answer(429, "{}", {"Retry-After": "3600"})
    )
    fresh = intel.fear_greed()
    assert fresh["source"] == "alternative.me" and fresh["stale_since"] is None and len(fresh["history"]) == 365
    cache.delete("market:intel:fear_greed")
    stale = intel.fear_greed()
    assert stale["value"] == fresh["value"] and stale["stale_since"] is not None
    assert any("429" in e for e in stale["errors"])
    cache.delete("market:intel:fear_greed")
    again = intel.fear_greed()  # backing off: no request at all, still the last value
    assert again["value"] == fresh["value"] and any("backing off" in e for e in again["errors"])
    assert len(provider_server.hits("/fng/")) == 2


def test_a_provider_that_never_answered_gives_an_empty_widget_not_an_error(closed_port_url, live_mode, settings, db):
    settings.FLAXU_ALTERNATIVE_ME_URL = closed_port_url
    widget = intel.fear_greed()
    assert widget["value"] is None and widget["source"] is None and widget["history"] == []


def test_coinglass_history_joins_the_heatmap_only_live_and_with_a_key(provider_server, live_mode, settings, db):
    path = "/api/futures/liquidation/aggregated-history"
    settings.FLAXU_COINGLASS_URL = provider_server.url
    provider_server.answer(path, Answer(body=fixture_text("coinglass_liquidation_aggregated_history.json")))
    settings.COINGLASS_API_KEY = ""
    assert heatmap._aggregated_liquidations("BTC/USDT:USDT") is None
    settings.COINGLASS_API_KEY = "cg-secret-123456"
    aggregated = heatmap._aggregated_liquidations("1000PEPE/USDT:USDT")
    assert aggregated["source"] == "coinglass" and len(aggregated["buckets"]) == 48
    assert provider_server.hits(path)[0].query["symbol"] == ["PEPE"]
    assert heatmap._aggregated_liquidations("1000PEPE/USDT:USDT") == aggregated  # cached: one request
    assert len(provider_server.hits(path)) == 1
