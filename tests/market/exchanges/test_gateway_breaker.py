"""The circuit breaker: repeated outages open it, it then fails fast without a request, and it closes
after the cool-down. Business refusals never open it."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from market import exchanges
from market.exchanges import ApiCredentials, health, resilience

BALANCE = "/openApi/swap/v3/user/balance"


@pytest.fixture
def breaker_settings(settings):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    settings.FLAXU_BREAKER_FAIL_MAX = 3
    settings.FLAXU_BREAKER_RESET_SECONDS = 0.5
    return settings


def _fail(times: int, creds) -> None:
    for _ in range(times):
        with pytest.raises(exchanges.ExchangeUnavailable):
            exchanges.balances(creds)


def test_the_breaker_opens_after_repeated_failures_and_fails_fast(gateway, creds, breaker_settings):
    gateway.inject(BALANCE, "http_500", count=None)
    _fail(3, creds)
    sent = len(gateway.requests)

    with pytest.raises(exchanges.CircuitOpen):
        exchanges.balances(creds)
    with pytest.raises(exchanges.CircuitOpen):
        exchanges.positions(creds)  # the breaker guards the whole exchange

    assert len(gateway.requests) == sent
    assert resilience.breaker_state("bingx") == "open"
    assert health.breaker_state("bingx") == "open"


def test_the_breaker_closes_after_the_cool_down(gateway, creds, breaker_settings):
    gateway.inject(BALANCE, "http_500", count=None)
    _fail(3, creds)
    gateway.clear_faults()

    time.sleep(0.6)
    balance = exchanges.balances(creds)

    assert balance.equity == Decimal("1000")
    assert resilience.breaker_state("bingx") == "closed"
    assert health.breaker_state("bingx") == "closed"


def test_a_failed_trial_call_opens_the_breaker_again(gateway, creds, breaker_settings):
    gateway.inject(BALANCE, "http_500", count=None)
    _fail(3, creds)

    time.sleep(0.6)
    _fail(1, creds)  # the trial call reaches BingX and fails

    sent = len(gateway.requests)
    with pytest.raises(exchanges.CircuitOpen):
        exchanges.balances(creds)
    assert len(gateway.requests) == sent


def test_an_open_breaker_is_not_retried(gateway, creds, breaker_settings, settings):
    gateway.inject(BALANCE, "http_500", count=None)
    _fail(3, creds)
    settings.FLAXU_EXCHANGE_RETRIES = 3

    asked = len(gateway.requests_to(BALANCE))
    with pytest.raises(exchanges.CircuitOpen):
        exchanges.balances(creds)

    assert len(gateway.requests_to(BALANCE)) == asked  # refused before reaching BingX: no request, no retries


def test_refusals_of_one_user_do_not_open_the_breaker_for_everyone(gateway, account, breaker_settings):
    wrong = ApiCredentials(api_key=account.api_key, secret="w" * 64)
    for _ in range(5):
        with pytest.raises(exchanges.InvalidCredentials):
            exchanges.balances(wrong)

    assert resilience.breaker_state("bingx") == "closed"


def test_an_open_breaker_refuses_orders_without_sending_them(gateway, creds, breaker_settings):
    gateway.inject(BALANCE, "http_500", count=None)
    _fail(3, creds)

    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.place_market_order(creds, "BTC/USDT:USDT", "buy", Decimal("0.01"))

    assert gateway.requests_to("/openApi/swap/v2/trade/order") == []


def test_demo_trading_has_its_own_breaker(gateway, account, creds, breaker_settings):
    gateway.inject(BALANCE, "http_500", count=3)
    _fail(3, creds)
    demo = ApiCredentials(api_key=account.api_key, secret=account.secret, sandbox=True)

    assert exchanges.balances(demo).equity == Decimal("1000")
