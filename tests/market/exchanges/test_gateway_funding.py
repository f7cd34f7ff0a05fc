"""Funding payments read from the fake BingX (GET /openApi/swap/v2/user/income, incomeType FUNDING_FEE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from market import exchanges

from .conftest import BTC

INCOME = "/openApi/swap/v2/user/income"


def _ago(**delta) -> datetime:
    return (datetime.now(UTC) - timedelta(**delta)).replace(microsecond=0)


def test_funding_payments_of_one_symbol_since_a_time_oldest_first_as_decimals(gateway, creds):
    gateway.add_funding("1001", "BTC-USDT", Decimal("-0.1234"), time=_ago(hours=16))  # before `since`
    paid = gateway.add_funding("1001", "BTC-USDT", Decimal("-0.5"), time=_ago(hours=8))
    received = gateway.add_funding("1001", "BTC-USDT", Decimal("0.25"), time=_ago(minutes=1))
    gateway.add_funding("1001", "ETH-USDT", Decimal("-9"), time=_ago(hours=1))  # another symbol

    payments = exchanges.funding_payments(creds, BTC, since=_ago(hours=9))

    assert [(p.amount, p.symbol, p.asset, p.id) for p in payments] == [
        (Decimal("-0.5"), BTC, "USDT", paid["tranId"]),
        (Decimal("0.25"), BTC, "USDT", received["tranId"]),
    ]
    assert payments[0].time == datetime.fromtimestamp(paid["time"] / 1000, tz=UTC)
    (request,) = gateway.requests_to(INCOME, "GET")
    assert request["incomeType"] == "FUNDING_FEE" and request["symbol"] == "BTC-USDT"


def test_no_funding_is_an_empty_list(gateway, creds):
    assert exchanges.funding_payments(creds, BTC) == []


@pytest.mark.parametrize(
    "body",
    [
        '{"code":0,"msg":"","data":[{"symbol":"BTC-USDT","incomeType":"FUNDING_FEE","tranId":"1","time":1}]}',
        '{"code":0,"msg":"","data":[{"symbol":"BTC-USDT","incomeType":"FUNDING_FEE","income":"-1","tranId":"1"}]}',
        '{"code":0,"msg":"","data":{"rows":[]}}',
        '{"code":0,"msg":"","data":[{"symbol":"BTC-USDT","incomeType":"FUNDING_FEE","income":"x","tranId":"1","time":1}',
    ],
)
def test_a_malformed_answer_raises_rather_than_reading_as_no_funding(gateway, creds, settings, body):
    settings.FLAXU_EXCHANGE_RETRIES = 0
    gateway.inject(INCOME, "bad_json", count=None, body=body)

    with pytest.raises(exchanges.ExchangeUnavailable):
        exchanges.funding_payments(creds, BTC)
