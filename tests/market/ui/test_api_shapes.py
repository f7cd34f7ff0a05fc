"""Every market endpoint answers in replay mode with exactly the documented shape (its serializer)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from market import serializers as s

from .conftest import BTC

pytestmark = pytest.mark.django_db

ENVELOPE = {"source", "stale_since", "updated_at", "demo"}
WIDGETS = [
    ("api_market_source", "", s.SourceInfoSerializer),
    ("api_market_tickers", "", s.TickersSerializer),
    ("api_market_candles", f"?symbol={BTC}&timeframe=1m&limit=50", s.CandlesSerializer),
    ("api_market_funding", "", s.FundingSerializer),
    ("api_market_long_short", "", s.LongShortSerializer),
    ("api_market_open_interest", "", s.OpenInterestSerializer),
    ("api_market_arbitrage", "", s.ArbitrageSerializer),
    ("api_market_heatmap", f"?symbol={BTC}", s.HeatmapSerializer),
    ("api_market_fear_greed", "", s.FearGreedSerializer),
    ("api_market_altcoin_season", "", s.AltcoinSeasonSerializer),
    ("api_market_top_coins", "?per_page=20", s.TopCoinsSerializer),
]


@pytest.mark.parametrize(("name", "query", "serializer"), WIDGETS, ids=[w[0] for w in WIDGETS])
def test_each_endpoint_returns_its_documented_shape(api, market, name, query, serializer):
    response = api.get(reverse(name) + query)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == set(serializer().fields)
    if serializer is not s.SourceInfoSerializer:
        assert set(body) >= ENVELOPE and body["demo"] is True and body["source"]


def test_widgets_carry_data_from_the_replay(api, market):
    tickers = api.get(reverse("api_market_tickers")).json()
    assert [t["exchange"] for t in tickers["exchanges"]] == ["bingx", "binanceusdm", "okx", "bybit"]
    btc = tickers["exchanges"][0]["tickers"][0]
    assert btc["symbol"] == BTC and set(btc) == set(s.TickerSerializer().fields)
    assert isinstance(btc["last"], str) and float(btc["last"]) > 0  # decimals as strings

    funding = api.get(reverse("api_market_funding")).json()
    row = funding["rows"][0]
    assert set(row["quotes"]) == set(funding["exchanges"])
    assert {"rate_pct", "annualized_pct", "next_funding_time", "interval_hours"} <= set(row["quotes"]["bingx"])

    long_short = api.get(reverse("api_market_long_short")).json()
    offered = {e["exchange"]: e["offered"] for e in long_short["exchanges"]}
    assert offered == {"binanceusdm": True, "okx": True, "bybit": True, "bingx": False}
    assert long_short["rows"][0]["ratios"]["bingx"] is None

    arbitrage = api.get(reverse("api_market_arbitrage")).json()
    assert arbitrage["rows"] and arbitrage["note"]
    assert set(arbitrage["rows"][0]) == set(s.ArbitrageRowSerializer().fields)

    fear = api.get(reverse("api_market_fear_greed")).json()
    assert 0 <= fear["value"] <= 100 and len(fear["history"]) >= 7

    heatmap = api.get(reverse("api_market_heatmap") + f"?symbol={BTC}").json()
    assert heatmap["symbol"] == BTC and "liquidat" in heatmap["model"]["description"]

    top = api.get(reverse("api_market_top_coins") + "?per_page=5&sort=-market_cap&q=").json()
    assert [c["rank"] for c in top["results"]] == [1, 2, 3, 4, 5]
    assert top["total"] == 500 and top["pages"] == 100 and top["results"][0]["live"] is True

    source = api.get(reverse("api_market_source")).json()
    assert source["name"] == "replay" and source["is_demo"] is True and BTC in source["symbols"]


def test_top_coins_search_sort_and_pages_happen_on_the_server(api, market):
    found = api.get(reverse("api_market_top_coins") + "?q=bitcoin&per_page=50").json()
    assert found["results"] and all(
        "bitcoin" in c["name"].lower() or "bitcoin" in c["symbol"].lower() for c in found["results"]
    )

    by_change = api.get(reverse("api_market_top_coins") + "?sort=-change_24h_pct&per_page=10").json()["results"]
    changes = [c["change_24h_pct"] for c in by_change]
    assert changes == sorted(changes, reverse=True)

    second = api.get(reverse("api_market_top_coins") + "?page=2&per_page=10").json()
    assert second["page"] == 2 and [c["rank"] for c in second["results"]] == list(range(11, 21))


def test_every_market_endpoint_is_in_the_openapi_schema(api):
    schema = api.get(reverse("api_schema"), HTTP_ACCEPT="application/json").json()
    paths = set(schema["paths"])
    for name, _query, _serializer in WIDGETS:
        assert reverse(name) in paths
    assert {"/api/market/alerts/", "/api/market/alerts/{id}/"} <= paths
