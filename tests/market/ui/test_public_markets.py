"""Markets are for everyone: anonymous visitors read the market panel and the market API (per-IP
throttled), without alerts or a websocket; the landing page previews the market from the cache."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from market.api import AnonMarketDataThrottle
from market.selectors import intel as stored_widgets
from market.services import intel
from market.sources import reset_source
from market.templatetags.market_format import pct, price

from .conftest import BTC, last_price

pytestmark = pytest.mark.django_db

READS = [
    ("api_market_source", ""),
    ("api_market_tickers", f"?symbol={BTC}"),
    ("api_market_candles", f"?symbol={BTC}&timeframe=15m&limit=5"),
    ("api_market_funding", ""),
    ("api_market_long_short", ""),
    ("api_market_open_interest", ""),
    ("api_market_arbitrage", ""),
    ("api_market_heatmap", f"?symbol={BTC}"),
    ("api_market_fear_greed", ""),
    ("api_market_altcoin_season", ""),
    ("api_market_top_coins", "?per_page=5"),
]


def config_of(html: str) -> dict:
    return json.loads(html.split('id="markets-config" type="application/json">')[1].split("</script>")[0])


def test_an_anonymous_visitor_sees_the_market_panel_read_only(client, market):
    response = client.get(reverse("markets"))

    assert response.status_code == 200
    html = response.content.decode()
    for widget in ("w-fear-greed", "w-altcoin-season", "w-chart", "w-top-coins", "w-funding", "w-heatmap"):
        assert f'id="{widget}"' in html, widget
    assert "Bitcoin" in html and price(last_price()) in html
    # No alerts and no websocket: a way to log in for alerts, and the page polls (quietly) instead.
    assert 'id="chart-alert-link"' not in html and f'href="{reverse("market_alerts")}"' not in html
    assert "for price alerts" in html and 'id="visitor-note"' in html
    assert "js/live.js" not in html and 'id="live-indicator"' not in html
    config = config_of(html)
    assert config["live"] is False and config["pollSeconds"] > 0


def test_a_signed_in_user_keeps_alerts_and_the_live_connection(signed_in, market):
    html = signed_in.get(reverse("markets")).content.decode()
    assert 'id="chart-alert-link"' in html and "js/live.js" in html and 'id="visitor-note"' not in html
    assert config_of(html)["live"] is True


def test_anonymous_visitors_get_widget_fragments_but_not_alerts(client, market):
    fragment = client.get(reverse("market_widget", args=["funding"]))
    assert fragment.status_code == 200 and 'id="w-funding"' in fragment.content.decode()

    alerts = client.get(reverse("market_alerts"))
    assert alerts.status_code == 302 and "/accounts/login/" in alerts["Location"]


@pytest.mark.parametrize(("name", "query"), READS)
def test_anonymous_callers_read_market_data(market, name, query):
    response = APIClient().get(reverse(name) + query)
    assert response.status_code == 200, response.content


def test_the_market_api_stays_read_only_for_anonymous_callers(market):
    client = APIClient()
    assert client.post(reverse("api_market_tickers"), {}, format="json").status_code in (401, 403, 405)
    assert client.get(reverse("api_market_alerts")).status_code in (401, 403)


def test_anonymous_reads_are_throttled_per_client_ip(market, monkeypatch):
    monkeypatch.setattr(AnonMarketDataThrottle, "rate", "3/15m")
    url = reverse("api_market_source")
    client = APIClient()
    for _ in range(3):
        assert client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 200

    refused = client.get(url, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and set(refused.json()) == {"detail", "errors"}
    # A made-up X-Forwarded-For does not buy a fresh budget (no trusted proxy in front by default) ...
    assert client.get(url, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # ... while another address has its own.
    assert client.get(url, REMOTE_ADDR="203.0.113.8").status_code == 200


def test_a_signed_in_user_does_not_spend_the_anonymous_budget_of_their_ip(api, market, monkeypatch):
    monkeypatch.setattr(AnonMarketDataThrottle, "rate", "1/15m")
    url = reverse("api_market_source")
    for _ in range(3):
        assert api.get(url, REMOTE_ADDR="203.0.113.9").status_code == 200
    assert APIClient().get(url, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_the_landing_page_previews_the_market_from_the_cache(client, market, django_assert_max_num_queries):
    intel.fear_greed_refresh()
    fear_greed = stored_widgets.cached_widget("fear_greed")

    with django_assert_max_num_queries(0):  # cache reads only: no database work for the preview
        response = client.get(reverse("home"))

    html = response.content.decode()
    assert 'id="market-preview"' in html
    assert f'<span class="num" id="preview-btc">{price(last_price())}</span>' in html
    assert f"{fear_greed['value']} <span" in html and fear_greed["classification"] in html
    movers = response.context["preview"]
    assert movers["gainers"] or movers["losers"]
    for ticker in [*movers["gainers"], *movers["losers"]]:
        assert pct(ticker.change_percent) in html
    assert f'href="{reverse("markets")}"' in html


def test_the_landing_page_never_computes_a_widget_for_its_preview(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Prices are loading" in response.content.decode()
    assert stored_widgets.cached_widget("fear_greed") is None  # not fetched or computed by the visit


def test_the_landing_page_stays_up_when_the_market_source_fails(client, settings, caplog):
    settings.FLAXU_REPLAY_CSV = "/nonexistent/replay.csv"  # a misconfigured source cannot even be built
    reset_source()

    response = client.get(reverse("home"))

    assert response.status_code == 200 and "Prices are loading" in response.content.decode()
    assert "market preview unavailable" in caplog.text
