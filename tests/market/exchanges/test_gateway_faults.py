"""Faults injected by the fake: reads retry with backoff, orders are never placed twice, bad answers fail closed."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from market import exchanges

from .conftest import BTC

BALANCE = "/openApi/swap/v3/user/balance"
POSITIONS = "/openApi/swap/v2/user/positions"
ORDER = "/openApi/swap/v2/trade/order"


def test_a_read_survives_a_5xx_with_backoff(gateway, creds):
    gateway.inject(BALANCE, "http_500", count=2)

    started = time.monotonic()
    balance = exchanges.balances(creds)

    assert balance.equity == Decimal("1000")
    assert len(gateway.requests_to(BALANCE)) == 3
    assert time.monotonic() - started >= 0.1 + 0.2  # exponential: at least 0.1 s, then 0.2 s


def test_a_read_survives_a_429_after_its_retry_after(gateway, creds):
    gateway.inject(BALANCE, "http_429", count=1, retry_after=0.3)

    started = time.monotonic()
    exchanges.balances(creds)

    assert len(gateway.requests_to(BALANCE)) == 2
    assert time.monotonic() - started >= 0.3


def test_a_read_survives_a_dropped_connection_and_maintenance(gateway, creds):
    gateway.inject(POSITIONS, "reset", count=1)
    gateway.inject(POSITIONS, "maintenance", count=1)

    assert exchanges.positions(creds) == []
    assert len(gateway.requests_to(POSITIONS)) == 3


def test_a_read_gives_up_with_exchange_unavailable_after_the_retry_budget(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 2
    gateway.inject(BALANCE, "http_500", count=None)

    with pytest.raises(exchanges.ExchangeUnavailable) as caught:
        exchanges.balances(creds)

    assert len(gateway.requests_to(BALANCE)) == 3
    assert "HTTP 500" in caught.value.message


def test_a_read_gives_up_with_rate_limited_after_the_retry_budget(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_RETRIES = 2
    gateway.inject(BALANCE, "http_429", count=None, retry_after=0.1)

    with pytest.raises(exchanges.RateLimited) as caught:
        exchanges.balances(creds)

    assert caught.value.retry_after == pytest.approx(0.1)
    assert len(gateway.requests_to(BALANCE)) == 3


def test_a_long_retry_after_is_handed_to_the_caller_at_once(gateway, creds):
    gateway.inject(BALANCE, "http_429", count=None, retry_after=120)

    with pytest.raises(exchanges.RateLimited) as caught:
        exchanges.balances(creds)

    assert caught.value.retry_after == 120
    assert len(gateway.requests_to(BALANCE)) == 1


def test_a_slow_read_times_out_and_is_retried(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 300
    gateway.inject(BALANCE, "latency", count=1, delay=1.0)

    assert exchanges.balances(creds).equity == Decimal("1000")
    assert len(gateway.requests_to(BALANCE)) == 2


def test_an_order_whose_answer_times_out_after_bingx_accepted_it_is_placed_once_and_returned(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 500
    gateway.inject(ORDER, "timeout_after_accept", count=1, method="POST", delay=2.0)

    order = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"), idempotency_key="signal-1")

    [on_exchange] = gateway.orders("1001")
    assert order.id == str(on_exchange["orderId"])
    assert order.client_order_id == exchanges.client_order_id("signal-1")
    assert order.status == "closed" and order.filled == Decimal("0.01")
    assert len(gateway.requests_to(ORDER, "POST")) == 1
    lookups = [r for r in gateway.requests_to(ORDER, "GET") if r.get("clientOrderId")]
    assert [r["clientOrderId"] for r in lookups] == [order.client_order_id]  # found by its client order id


def test_an_order_refused_before_bingx_processed_it_is_placed_again_once(gateway, creds):
    gateway.inject(ORDER, "http_500", count=1, method="POST")  # not processed (the fake answers first)

    order = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"))

    assert len(gateway.requests_to(ORDER, "POST")) == 2
    assert [str(o["orderId"]) for o in gateway.orders("1001")] == [order.id]
    assert {r["clientOrderID"] for r in gateway.requests_to(ORDER, "POST")} == {order.client_order_id}


def test_an_order_bingx_keeps_refusing_ends_unplaced_after_two_attempts(gateway, creds):
    gateway.inject(ORDER, "http_500", count=None, method="POST")

    with pytest.raises(exchanges.ExchangeUnavailable) as caught:
        exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"))

    assert not isinstance(caught.value, exchanges.OrderStateUnknown)
    assert len(gateway.requests_to(ORDER, "POST")) == 2
    assert gateway.orders("1001") == []


def test_an_order_whose_outcome_cannot_be_looked_up_is_reported_unknown_not_retried(gateway, creds, settings):
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 500
    settings.FLAXU_EXCHANGE_RETRIES = 1
    gateway.inject(ORDER, "timeout_after_accept", count=1, method="POST", delay=2.0)
    gateway.inject(ORDER, "http_500", count=None, method="GET")

    with pytest.raises(exchanges.OrderStateUnknown) as caught:
        exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"), idempotency_key="signal-2")

    assert caught.value.client_order_id == exchanges.client_order_id("signal-2")
    assert len(gateway.requests_to(ORDER, "POST")) == 1
    assert len(gateway.orders("1001")) == 1  # it was placed: the caller reconciles by client order id
    gateway.clear_faults()
    found = exchanges.fetch_order(creds, BTC, client_order_id=caught.value.client_order_id)
    assert found.status == "closed"


def test_a_duplicate_client_order_id_returns_the_existing_order(gateway, creds):
    first = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"), client_order_id="fxsame1")

    again = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"), client_order_id="fxsame1")

    assert again.id == first.id
    assert len(gateway.orders("1001")) == 1
    assert len(gateway.requests_to(ORDER, "POST")) == 2  # the second was refused as a duplicate


def test_malformed_positions_fail_closed_rather_than_reading_as_none(gateway, creds, settings):
    exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"))
    settings.FLAXU_EXCHANGE_RETRIES = 1
    gateway.inject(POSITIONS, "bad_json", count=None)

    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.positions(creds)


@pytest.mark.parametrize(
    "body",
    ['{"code":0,"msg":""}', '{"code":0,"data":{}}', '{"code":0,"data":[{"symbol":"BTC-USDT"}]}', ""],
)
def test_positions_answers_without_the_expected_shape_fail_closed(gateway, creds, settings, body):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    gateway.inject(POSITIONS, "bad_json", count=None, body=body)

    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.positions(creds)


@pytest.mark.parametrize("body", [None, '{"code":0,"data":[{"asset":"BTC","balance":"1"}]}', '{"code":0}'])
def test_a_malformed_balance_fails_closed(gateway, creds, settings, body):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    gateway.inject(BALANCE, "bad_json", count=None, **({"body": body} if body is not None else {}))

    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.balances(creds)


def test_a_malformed_order_answer_is_resolved_by_looking_the_order_up(gateway, creds):
    gateway.inject(ORDER, "bad_json", count=1, method="POST")  # BingX placed it, the answer is garbage

    order = exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"))

    assert [str(o["orderId"]) for o in gateway.orders("1001")] == [order.id]
    assert len(gateway.requests_to(ORDER, "POST")) == 1
    assert any(r.get("clientOrderId") == order.client_order_id for r in gateway.requests_to(ORDER, "GET"))


@pytest.mark.parametrize("body", ['{"code":0,"data":{"order":{}}}', None])
def test_an_order_answer_without_an_id_is_never_taken_for_success(gateway, creds, settings, body):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    gateway.inject(ORDER, "bad_json", count=None, **({"body": body} if body else {}))  # lookups too

    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"))

    assert len(gateway.orders("1001")) == 1  # placed by the fake, never reported as done, never doubled
    assert len(gateway.requests_to(ORDER, "POST")) == 1


def test_an_order_is_not_sent_again_after_a_429(gateway, creds):
    gateway.inject(ORDER, "http_429", count=1, method="POST", retry_after=0)

    with pytest.raises(exchanges.RateLimited):
        exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"))

    assert len(gateway.requests_to(ORDER, "POST")) == 1
    assert gateway.orders("1001") == []


def test_a_cancel_is_retried_after_a_5xx(gateway, creds):
    exchanges.place_market_order(creds, BTC, "buy", Decimal("0.01"), stop_loss=Decimal("60000"))
    [stop] = exchanges.open_orders(creds, BTC)
    gateway.inject(ORDER, "http_500", count=1, method="DELETE", process=True)  # cancelled, answer lost

    cancelled = exchanges.cancel_order(creds, BTC, order_id=stop.id)

    assert cancelled.status == "canceled"
    assert len(gateway.requests_to(ORDER, "DELETE")) == 2
