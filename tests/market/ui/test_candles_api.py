"""Chart candles: FLAXU's stored candles completed to now by the source; the source alone when none are
stored; the last one may be forming."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from django.urls import reverse

from market.selectors.prices import chart_candles
from market.services.candles import candles_ingest

from .conftest import BTC, ETH

pytestmark = pytest.mark.django_db


def times(body) -> list[float]:
    return [datetime.fromisoformat(c["time"].replace("Z", "+00:00")).timestamp() for c in body["candles"]]


def test_without_stored_candles_the_chart_shows_the_sources(api, market):
    body = api.get(reverse("api_market_candles") + f"?symbol={ETH}&timeframe=5m&limit=40").json()

    assert body["stored"] == 0 and len(body["candles"]) == 40
    assert body["exchange"] == "bingx" and body["timeframe"] == "5m"
    stamps = times(body)
    assert all(b - a == 300 for a, b in itertools.pairwise(stamps))
    assert [c["closed"] for c in body["candles"]][:-1] == [True] * 39
    assert body["candles"][-1]["closed"] is False  # the forming one
    assert body["stale_since"] is None


def test_stored_candles_come_first_and_the_source_fills_up_to_now(api, market):
    candles_ingest("bingx", BTC, "1h", market, push=False)

    body = api.get(reverse("api_market_candles") + f"?symbol={BTC}&timeframe=1h&limit=100").json()

    assert body["stored"] == 99 and len(body["candles"]) == 100
    stamps = times(body)
    assert stamps == sorted(stamps) and all(b - a == 3600 for a, b in itertools.pairwise(stamps))
    assert body["candles"][-1]["closed"] is False
    assert isinstance(body["candles"][0]["open"], str)


def test_chart_candles_are_cached_for_the_price_ttl(market, django_assert_num_queries):
    first = chart_candles(symbol=BTC, timeframe="15m", limit=20)
    with django_assert_num_queries(0):
        again = chart_candles(symbol=BTC, timeframe="15m", limit=20)
    assert again == first
