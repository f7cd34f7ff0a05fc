"""Bad query parameters answer 400 in FLAXU's one error shape, naming each field; strangers get 401/403
from alerts (market data is public: tests/market/ui/test_public_markets.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from .conftest import BTC

pytestmark = pytest.mark.django_db


def errors_of(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"]
    return body["errors"]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("?symbol=NOPE/USDT:USDT&timeframe=1m", "symbol", "Unknown symbol"),
        (f"?symbol={BTC}&timeframe=2m", "timeframe", "Unknown timeframe"),
        (f"?symbol={BTC}&timeframe=1m&limit=0", "limit", "greater than or equal to 1"),
        (f"?symbol={BTC}&timeframe=1m&limit=1001", "limit", "less than or equal to 1000"),
        (f"?symbol={BTC}&timeframe=1m&limit=many", "limit", "valid integer"),
        ("?timeframe=1m", "symbol", "required"),
        (f"?symbol={BTC}", "timeframe", "required"),
    ],
)
def test_candles_reject_unknown_symbols_timeframes_and_limits_out_of_range(api, market, query, field, words):
    errors = errors_of(api.get(reverse("api_market_candles") + query))
    assert words in errors[field][0]


def test_candles_report_every_bad_parameter_at_once(api, market):
    errors = errors_of(api.get(reverse("api_market_candles") + "?symbol=X&timeframe=7m&limit=0"))
    assert set(errors) == {"symbol", "timeframe", "limit"}


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("api_market_heatmap", "", "symbol"),
        ("api_market_heatmap", "?symbol=DOGE", "symbol"),
        ("api_market_tickers", "?exchange=kraken", "exchange"),
        ("api_market_tickers", "?symbol=BTCUSDT", "symbol"),
        ("api_market_top_coins", "?sort=price_asc", "sort"),
        ("api_market_top_coins", "?sort=--rank", "sort"),
        ("api_market_top_coins", "?page=0", "page"),
        ("api_market_top_coins", "?per_page=251", "per_page"),
        ("api_market_top_coins", "?q=" + "x" * 41, "q"),
    ],
)
def test_other_endpoints_name_the_bad_parameter(api, market, url, query, field):
    assert field in errors_of(api.get(reverse(url) + query))


def test_anonymous_callers_cannot_read_alerts():
    response = APIClient().get(reverse("api_market_alerts"))
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "errors"}


def test_anonymous_callers_cannot_create_or_delete_alerts():
    client = APIClient()
    assert client.post(reverse("api_market_alerts"), {"symbol": BTC}, format="json").status_code in (401, 403)
    assert client.delete(reverse("api_market_alert_detail", args=[1])).status_code in (401, 403)
