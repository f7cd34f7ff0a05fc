"""Health records in the shared cache: last success, last error without secrets, latency, breaker state."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from market import exchanges
from market.exchanges import health

BALANCE = "/openApi/swap/v3/user/balance"


def test_a_success_is_recorded_with_its_latency(creds):
    exchanges.balances(creds)
    health.flush()

    record = exchanges.operation_health("bingx", "balance")

    assert record.last_success_at is not None
    assert record.last_error is None
    assert record.samples == 1
    assert 0 < record.p50_ms <= record.p95_ms <= record.p99_ms < 1000
    assert record.breaker_state == "closed"


def test_an_error_is_recorded_at_once_without_the_key_secret_or_signature(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    gateway.inject(BALANCE, "http_500", count=1)

    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.balances(creds)

    record = exchanges.operation_health("bingx", "balance")
    assert record.last_error_at is not None
    assert "HTTP 500" in record.last_error
    raw = repr(cache.get("market:exchanges:health:bingx:balance")) + repr(record)
    assert creds.api_key.reveal() not in raw and creds.secret.reveal() not in raw
    signatures = [r["signature"] for r in gateway.requests_to(BALANCE)]
    assert signatures and not any(s in raw for s in signatures)


def test_latency_percentiles_cover_many_calls(creds):
    for _ in range(5):
        exchanges.balances(creds)
    health.flush()

    record = exchanges.operation_health("bingx", "balance")

    assert record.samples == 5
    assert record.p50_ms <= record.p95_ms <= record.p99_ms


def test_a_success_after_an_error_is_recorded_at_once(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    gateway.inject(BALANCE, "http_500", count=1)
    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.balances(creds)

    exchanges.balances(creds)

    record = exchanges.operation_health("bingx", "balance")
    assert record.last_success_at > record.last_error_at


def test_every_recorded_operation_is_listed(creds):
    exchanges.balances(creds)
    exchanges.positions(creds)

    names = {h.operation for h in exchanges.exchange_health("bingx")}

    assert {"balance", "positions"} <= names


def test_the_breaker_state_is_shared_through_the_cache(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    settings.FLAXU_BREAKER_FAIL_MAX = 2
    gateway.inject(BALANCE, "http_500", count=None)
    for _ in range(2):
        with pytest.raises(exchanges.ExchangeUnavailable):
            exchanges.balances(creds)

    assert exchanges.operation_health("bingx", "balance").breaker_state == "open"


def test_the_ccxt_rate_limiter_wait_is_not_counted_as_exchange_latency(creds):
    exchanges.balances(creds)
    exchanges.balances(creds)  # ccxt sleeps ~200 ms before this one (BingX cost 2 x 100 ms)
    health.flush()

    assert exchanges.operation_health("bingx", "balance").p99_ms < 150


def test_a_users_refusal_is_not_an_exchange_error(account):
    wrong = exchanges.ApiCredentials(api_key=account.api_key, secret="w" * 64)
    with pytest.raises(exchanges.InvalidCredentials):
        exchanges.balances(wrong)

    record = exchanges.operation_health("bingx", "balance")
    assert record.last_error is None and record.last_success_at is not None  # BingX answered


def test_a_call_stopped_by_the_open_breaker_keeps_the_real_cause(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    settings.FLAXU_BREAKER_FAIL_MAX = 1
    gateway.inject(BALANCE, "maintenance", count=None)
    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.balances(creds)
    with pytest.raises(exchanges.CircuitOpen):
        exchanges.balances(creds)

    record = exchanges.operation_health("bingx", "balance")
    assert "maintenance" in record.last_error
    assert record.breaker_state == "open"
