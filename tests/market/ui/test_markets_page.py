"""The Markets page: every widget rendered on the server for any user (anonymous visitors too:
test_public_markets.py), the DEMO badge on every
page in replay, "stale since" on stale widgets, and one fragment per widget for live refreshes."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from market import views
from market.exchanges import ExchangeUnavailable
from market.services import intel
from market.services.snapshots import funding_refresh, tickers_refresh
from market.sources.replay import ReplaySource

from .conftest import BTC, ETH

pytestmark = pytest.mark.django_db

WIDGET_IDS = [
    "w-fear-greed",
    "w-altcoin-season",
    "w-chart",
    "w-top-coins",
    "w-funding",
    "w-long-short",
    "w-open-interest",
    "w-heatmap",
    "w-arbitrage",
]


def test_a_limited_user_sees_every_widget_with_the_demo_badge(signed_in, market):
    response = signed_in.get(reverse("markets"))

    assert response.status_code == 200
    html = response.content.decode()
    for widget in WIDGET_IDS:
        assert f'id="{widget}"' in html, widget
    assert 'id="demo-badge"' in html and "DEMO data" in html
    # Figures from the replay, accessible tables, and the model explained in words.
    assert "Bitcoin" in html and 'scope="col"' in html and "<caption" in html
    assert "not offered" in html  # BingX long/short
    assert "Transfers take time" in html
    assert "P \u00d7 (1 \u2212 1/L + mmr)" in html  # the long liquidation formula
    assert 'name="timeframe" value="1h"' in html
    config = json.loads(html.split('id="markets-config" type="application/json">')[1].split("</script>")[0])
    assert config["symbol"] == BTC and config["tickersGroup"] == "market.tickers"
    assert config["slugs"][BTC] == "btc-usdt-usdt"


def test_the_chart_follows_the_symbol_and_timeframe_in_the_address(signed_in, market):
    response = signed_in.get(reverse("markets") + f"?symbol={ETH}&timeframe=1h")
    assert response.context["symbol"] == ETH and response.context["timeframe"] == "1h"
    assert "ETH perpetual" in response.content.decode()
    fallback = signed_in.get(reverse("markets") + "?symbol=NOPE&timeframe=3m")
    assert fallback.context["symbol"] == BTC and fallback.context["timeframe"] == "15m"


def test_the_demo_badge_is_on_every_page_in_replay_and_absent_when_live(signed_in, settings):
    assert 'id="demo-badge"' in signed_in.get(reverse("dashboard")).content.decode()
    assert 'id="demo-badge"' in signed_in.get(reverse("market_alerts")).content.decode()
    settings.FLAXU_MARKET_SOURCE = "live"  # building the live source calls no exchange
    assert 'id="demo-badge"' not in signed_in.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize(
    "name",
    ["fear-greed", "altcoin-season", "top-coins", "funding", "long-short", "open-interest", "arbitrage", "heatmap"],
)
def test_each_widget_has_a_fragment_for_live_refreshes(signed_in, market, name):
    response = signed_in.get(reverse("market_widget", args=[name]))
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith("<section") and f'id="w-{name}"' in html


def test_unknown_fragments_are_not_found(signed_in):
    assert signed_in.get(reverse("market_widget", args=["nope"])).status_code == 404
    assert signed_in.get("/markets/widgets/no%20such/").status_code == 404


@pytest.mark.parametrize(
    "query",
    ["?page=abc&sort=bogus", "?page=-3&sort=--price&q=" + "x" * 500, "?page=99999", "?sort=-market_cap&q=%00%ff"],
)
def test_odd_top_coins_queries_still_answer_a_fragment(signed_in, market, query):
    response = signed_in.get(reverse("market_widget", args=["top-coins"]) + query)
    assert response.status_code == 200 and 'id="w-top-coins"' in response.content.decode()


def test_an_unknown_heatmap_symbol_answers_the_default_symbols_map(signed_in, market):
    response = signed_in.get(reverse("market_widget", args=["heatmap"]) + "?symbol=NOPE/USDT:USDT")
    assert response.status_code == 200 and 'data-symbol="BTC/USDT:USDT"' in response.content.decode()


@pytest.mark.parametrize(("event", "name"), [*views.WIDGET_EVENTS.items(), ("liquidation_heatmap", "heatmap")])
def test_each_widget_refreshes_itself_from_its_fragment_on_its_push(signed_in, market, event, name):
    """The section names its own fragment and the DOM event live.js dispatches for its push ("flaxu:<type>"),
    so a push swaps exactly that widget; "flaxu:poll" refreshes it while the websocket is down."""
    html = signed_in.get(reverse("market_widget", args=[name])).content.decode()
    section = html[: html.index(">", html.index("<section"))]
    assert f'hx-get="{reverse("market_widget", args=[name])}' in section
    assert f"flaxu:{event} from:document" in section and "flaxu:poll from:document" in section
    assert 'hx-swap="outerMorph"' in section
    assert event in intel.GROUPS or event == "liquidation_heatmap"


def test_the_top_coins_section_refreshes_the_page_sort_and_search_shown(signed_in, market):
    url = reverse("market_widget", args=["top-coins"])
    html = signed_in.get(url + "?page=2&sort=-price&q=a").content.decode()
    assert f'hx-get="{url}?page=2&amp;sort=-price&amp;q=a"' in html  # a push keeps the reader's choice
    assert f'hx-get="{url}?page=1&amp;sort=-price&amp;q=a"' in html  # previous page
    assert f'hx-get="{url}?page=1&amp;sort=price&amp;q=a"' in html  # the sorted column flips


def test_the_heatmap_fragment_follows_the_symbol(signed_in, market):
    html = signed_in.get(reverse("market_widget", args=["heatmap"]) + f"?symbol={ETH}").content.decode()
    assert "Liquidation heatmap · ETH" in html and 'data-group="market.liquidations.eth-usdt-usdt"' in html


class DownSource(ReplaySource):
    """The replay with every exchange failing, as the gateway reports an outage."""

    def tickers(self, exchange):
        raise ExchangeUnavailable(f"{exchange}: 503")

    def funding_rates(self, exchange):
        raise ExchangeUnavailable(f"{exchange}: 503")


def test_a_stale_widget_says_since_when_and_keeps_its_last_data(signed_in, market):
    down = DownSource()
    tickers_refresh(source=down)
    funding_refresh(source=down)
    cache.delete("market:intel:funding")  # the funding widget's cached answer (TTL 5 min) is rebuilt
    intel.funding_refresh()

    html = signed_in.get(reverse("markets")).content.decode()

    chart = html.split('id="w-chart"')[1].split("</section>")[0]
    funding = html.split('id="w-funding"')[1].split("</section>")[0]
    assert "Stale since" in chart and "Stale since" in funding
    # The last good data is still shown.
    assert '<span class="num" id="chart-last">\u2013' not in chart and 'id="chart-last"' in chart
    assert "%/yr" in funding


def test_top_coins_sort_search_and_pages_work_without_javascript(signed_in, market):
    html = signed_in.get(reverse("markets") + "?q=sol&sort=-price&page=1").content.decode()
    table = html.split('id="w-top-coins"')[1].split("</section>")[0]
    assert "Solana" in table and "Bitcoin</" not in table
    assert 'aria-sort="descending"' in table
