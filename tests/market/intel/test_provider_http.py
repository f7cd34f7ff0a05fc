"""Providers over real HTTP against a local server: requests, errors, health, 429 backoff, secrecy."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from market.providers.alternative_me import AlternativeMe
from market.providers.base import (
    BACKOFF_BASE_SECONDS,
    ProviderDisabled,
    ProviderMalformed,
    ProviderRateLimited,
    ProviderRefused,
    ProviderUnavailable,
    provider_health,
    retry_after_seconds,
)
from market.providers.coingecko import CoinGecko
from market.providers.coinglass import Coinglass
from tests.market.intel.conftest import Answer, fixture_text

KEY = "CG-demo-key-0123456789"
MARKETS = "/coins/markets"


class Clock:
    def __init__(self, t: float = 1_700_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def coingecko(server, **kwargs) -> CoinGecko:
    return CoinGecko(base_url=server.url, api_key=kwargs.pop("api_key", KEY), timeout=3, **kwargs)


def serve_both_pages(server) -> None:
    server.answer(
        MARKETS,
        Answer(body=fixture_text("coingecko_markets_page1.json")),
        Answer(body=fixture_text("coingecko_markets_page2.json")),
    )


def test_coingecko_top_500_is_two_pages_of_250_with_the_demo_key_in_a_header(provider_server):
    serve_both_pages(provider_server)
    coins = coingecko(provider_server).top(500)
    assert len(coins) == 500 and coins[0].symbol == "BTC" and coins[-1].rank == 500
    first, second = provider_server.hits(MARKETS)
    for page, seen in ((1, first), (2, second)):
        assert seen.query["vs_currency"] == ["usd"] and seen.query["order"] == ["market_cap_desc"]
        assert seen.query["per_page"] == ["250"] and seen.query["page"] == [str(page)]
        assert seen.headers["x-cg-demo-api-key"] == KEY
        assert all(KEY not in v for values in seen.query.values() for v in values)  # never in the URL
    health = provider_health("coingecko")
    assert health.last_success_at is not None and health.failures == 0 and health.last_error is None


def test_without_a_key_no_key_header_is_sent(provider_server):
    serve_both_pages(provider_server)
    coingecko(provider_server, api_key="").top(250)
    assert "x-cg-demo-api-key" not in provider_server.hits(MARKETS)[0].headers


def test_a_5xx_is_unavailable_and_recorded_in_health_without_the_key(provider_server):
    provider_server.answer(MARKETS, Answer(502, f'{{"error": "bad gateway for {KEY}"}}'))
    with pytest.raises(ProviderUnavailable, match="HTTP 502"):
        coingecko(provider_server).top()
    health = provider_health("coingecko")
    assert health.failures == 1 and "502" in health.last_error and health.last_success_at is None


def test_a_4xx_body_is_reported_scrubbed_of_the_key(provider_server):
    provider_server.answer(MARKETS, Answer(401, f'{{"status": {{"error_message": "invalid key {KEY}"}}}}'))
    with pytest.raises(ProviderRefused) as refused:
        coingecko(provider_server).top()
    assert KEY not in str(refused.value) and KEY not in provider_health("coingecko").last_error


def test_a_closed_port_is_unavailable(closed_port_url):
    with pytest.raises(ProviderUnavailable, match="unreachable"):
        CoinGecko(base_url=closed_port_url, api_key=KEY, timeout=2).top()
    assert provider_health("coingecko").failures == 1


def test_an_answer_in_the_wrong_shape_is_malformed(provider_server):
    provider_server.answer("/fng/", Answer(body='{"data": [{"value": "x"}], "metadata": {"error": null}}'))
    with pytest.raises(ProviderMalformed):
        AlternativeMe(base_url=provider_server.url, timeout=3).fear_greed()
    provider_server.answer("/fng/", Answer(body="<html>maintenance</html>"))
    with pytest.raises(ProviderMalformed, match="not JSON"):
        AlternativeMe(base_url=provider_server.url, timeout=3).fear_greed()
    assert provider_health("alternative.me").failures == 2


def test_429_backs_off_for_retry_after_seconds_without_sending_anything(provider_server):
    clock = Clock()
    provider_server.answer(
        "/fng/",
        Answer(429, '{"error": "slow down"}', {"Retry-After": "120"}),
        Answer(body=fixture_text("alternative_me_fng.json")),
    )
    provider = AlternativeMe(base_url=provider_server.url, timeout=3, clock=clock)
    with pytest.raises(ProviderRateLimited) as limited:
        provider.fear_greed()
    assert limited.value.retry_after == 120
    clock.t += 119
    with pytest.raises(ProviderRateLimited, match="backing off"):
        provider.fear_greed()
    assert len(provider_server.hits("/fng/")) == 1  # the second call never left the process
    assert provider.health().backoff_until == datetime.fromtimestamp(clock.t + 1, tz=UTC)
    clock.t += 1.5
    assert provider.fear_greed().value > 0
    assert len(provider_server.hits("/fng/")) == 2
    assert provider.health().backoff_until is None and provider.health().failures == 0


def test_429_without_retry_after_backs_off_exponentially(provider_server):
    clock = Clock()
    provider_server.answer("/fng/", Answer(429, "{}"))
    provider = AlternativeMe(base_url=provider_server.url, timeout=3, clock=clock)
    with pytest.raises(ProviderRateLimited) as first:
        provider.fear_greed()
    clock.t += first.value.retry_after + 0.1
    with pytest.raises(ProviderRateLimited) as second:
        provider.fear_greed()
    assert (first.value.retry_after, second.value.retry_after) == (BACKOFF_BASE_SECONDS, 2 * BACKOFF_BASE_SECONDS)


def test_retry_after_as_an_http_date():
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    later = format_datetime(datetime(2026, 1, 1, 12, 1, 30, tzinfo=UTC), usegmt=True)
    assert retry_after_seconds(later, now.timestamp()) == 90
    assert retry_after_seconds("7", 0) == 7 and retry_after_seconds("soon", 0) is None


def test_coinglass_needs_its_key_and_sends_it_as_cg_api_key(provider_server):
    path = "/api/futures/liquidation/aggregated-history"
    provider_server.answer(path, Answer(body=fixture_text("coinglass_liquidation_aggregated_history.json")))
    with pytest.raises(ProviderDisabled):
        Coinglass(base_url=provider_server.url, api_key="").liquidation_history("BTC")
    assert provider_server.hits(path) == []
    buckets = Coinglass(base_url=provider_server.url, api_key="cg-secret-123456").liquidation_history(
        "btc", interval="1h"
    )
    assert len(buckets) == 48
    [seen] = provider_server.hits(path)
    assert seen.headers["cg-api-key"] == "cg-secret-123456"
    assert seen.query == {
        "exchange_list": ["Binance,OKX,Bybit"],
        "symbol": ["BTC"],
        "interval": ["1h"],
        "limit": ["48"],
    }


def test_a_slow_provider_times_out(provider_server):
    import threading

    gate = threading.Event()
    original = provider_server.httpd.RequestHandlerClass.do_GET

    def slow(handler):
        gate.wait(3)
        original(handler)

    provider_server.httpd.RequestHandlerClass.do_GET = slow
    try:
        with pytest.raises(ProviderUnavailable, match=r"did not answer within 0\.3 s"):
            AlternativeMe(base_url=provider_server.url, timeout=0.3).fear_greed()
    finally:
        gate.set()
