"""Bad backtest requests are refused at creation with a 400 naming the field; LIMITED users get 403."""

from __future__ import annotations

import pytest

from tests.trading.factories import seed_candles
from trading.models import Backtest

pytestmark = pytest.mark.django_db
URL = "/api/backtests/"
PERIOD = {"start": "2024-01-02T00:00:00Z", "end": "2024-01-05T00:00:00Z"}


@pytest.fixture
def candles():
    return seed_candles(2000)  # 2024-01-01 00:00 .. 2024-01-07 22:35, 5m


def post(client, **body):
    return client.post(
        URL, {"symbol": "BTC/USDT:USDT", "timeframe": "5m", **PERIOD, **body}, content_type="application/json"
    )


def errors(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["errors"]


def test_unknown_symbol(full_client, candles):
    e = errors(post(full_client, symbol="NOPE/USDT:USDT"))
    assert "Unknown symbol 'NOPE/USDT:USDT'" in e["symbol"][0]
    assert "BTC/USDT:USDT" in e["symbol"][0]  # says what is followed


def test_reversed_and_empty_periods(full_client, candles):
    e = errors(post(full_client, start="2024-01-05T00:00:00Z", end="2024-01-02T00:00:00Z"))
    assert e["end"] == ["The period is reversed: the end is before the start."]
    e = errors(post(full_client, start="2024-01-05T00:00:00Z", end="2024-01-05T00:00:00Z"))
    assert e["end"] == ["The period is empty: the end must be after the start."]


def test_a_period_without_stored_candles_says_what_is_stored(full_client, candles):
    e = errors(post(full_client, start="2023-01-01T00:00:00Z", end="2023-02-01T00:00:00Z"))
    assert e["period"][0].startswith("No stored candles for BTC/USDT:USDT 5m between 2023-01-01 00:00 UTC")
    assert "stored 5m history covers 2024-01-01 00:00 UTC to 2024-01-07 22:40 UTC" in e["period"][0]
    e = errors(post(full_client, timeframe="1h"))
    assert "no 1h candles of BTC/USDT:USDT are stored yet" in e["period"][0]


def test_too_many_candles(full_client, candles, settings):
    settings.FLAXU_BACKTEST_MAX_CANDLES = 500
    e = errors(post(full_client))
    assert e["period"] == [
        "That period holds 864 5m candles; a backtest may use at most 500. "
        "Shorten the period or choose a larger timeframe."
    ]


def test_too_few_candles(full_client, candles):
    e = errors(post(full_client, start="2024-01-02T00:00:00Z", end="2024-01-02T02:00:00Z"))
    assert "Only 24 stored candles" in e["period"][0]


def test_bad_and_unknown_parameters(full_client, candles):
    e = errors(post(full_client, parameters={"risk_pct": 50, "entry": "stop"}))
    assert e["parameters.risk_pct"] == ["Ensure this value is less than or equal to 10."]
    assert e["parameters.entry"] == ['"stop" is not a valid choice.']
    e = errors(post(full_client, parameters={"lots": 3}))
    assert e["parameters"][0].startswith("Unknown parameter(s): lots. Known: min_confidence, swing_size")
    e = errors(post(full_client, parameters={"tp1_rr": 3, "tp2_rr": 2}))
    assert e["tp2_rr"] == ["Take profit 2 must be at least as far as take profit 1."]
    e = errors(post(full_client, timeframe="3m"))
    assert "timeframe" in e


def test_nothing_is_created_for_a_bad_request(full_client, candles):
    post(full_client, symbol="NOPE/USDT:USDT")
    assert not Backtest.objects.exists()


def test_limited_users_get_403_with_the_reason(limited_client, candles):
    response = post(limited_client)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("This needs FULL access.")
    assert not Backtest.objects.exists()


def test_a_good_request_is_accepted_with_201(full_client, candles):
    response = post(full_client, symbol="btc", parameters={"min_confidence": 60})
    assert response.status_code == 201, response.content
    body = response.json()
    backtest = Backtest.objects.get(pk=body["id"])
    assert backtest.symbol == "BTC/USDT:USDT" and backtest.status == "queued" and backtest.candles == 864
    assert backtest.parameters["min_confidence"] == 60 and backtest.parameters["risk_pct"] == 1.0
    assert body["url"] == f"/backtests/{backtest.pk}/"
