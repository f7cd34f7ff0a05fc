"""Markets widgets are rendered once per version of their data (market.fragments) and kept per process:
a page view after the first renders no widget template, yet new data, a stale flag, another page, sort
or search shows on the very next view, and what one visitor's page holds never reaches another's."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from market import fragments
from market.services import intel
from market.services.intel.common import store
from market.services.snapshots import funding_refresh

from .test_markets_page import DownSource

pytestmark = pytest.mark.django_db

PUBLIC_WIDGETS = ["fear-greed", "altcoin-season", "top-coins", "funding", "long-short", "open-interest",
                  "heatmap", "arbitrage"]  # fmt: skip


@pytest.fixture(autouse=True)
def _nothing_kept():
    fragments.KEPT.clear()
    yield
    fragments.KEPT.clear()


def widgets_rendered(response) -> list[str]:
    """The widget templates the response rendered (the chart is the page's own, rendered every time)."""
    names = {t.name for t in response.templates if t.name and t.name.startswith("market/widgets/")}
    return sorted(names - {"market/widgets/chart.html"})


def section(html: str, name: str) -> str:
    return html.split(f'id="w-{name}"')[1].split("</section>")[0]


def test_a_second_page_view_renders_no_widget_again(signed_in, market):
    first = signed_in.get(reverse("markets"))
    second = signed_in.get(reverse("markets"))

    assert len(widgets_rendered(first)) == len(PUBLIC_WIDGETS) and widgets_rendered(second) == []
    for name in PUBLIC_WIDGETS:
        assert section(first.content.decode(), name) == section(second.content.decode(), name)


def test_new_widget_data_shows_on_the_next_page_view_and_fragment(signed_in, market):
    signed_in.get(reverse("markets"))  # the current figures, kept
    payload = intel.fear_greed()
    assert payload["value"] != 7
    store("fear_greed", settings.FLAXU_TTL_FEAR_GREED, {**payload, "value": 7, "classification": "Extreme Fear"})

    page = section(signed_in.get(reverse("markets")).content.decode(), "fear-greed")
    fragment = signed_in.get(reverse("market_widget", args=["fear-greed"])).content.decode()

    for html in (page, fragment):
        assert '<span class="big-figure" id="fg-value">7</span>' in html and "Extreme Fear" in html


def test_a_widget_gone_stale_says_so_on_the_next_view(signed_in, market):
    assert "Stale since" not in section(signed_in.get(reverse("markets")).content.decode(), "funding")
    funding_refresh(source=DownSource())
    intel.funding_refresh()

    assert "Stale since" in section(signed_in.get(reverse("markets")).content.decode(), "funding")
    assert "Stale since" in signed_in.get(reverse("market_widget", args=["funding"])).content.decode()


def test_each_page_sort_and_search_of_the_top_list_has_its_own_rendering(signed_in, market):
    url = reverse("market_widget", args=["top-coins"])
    first, second = signed_in.get(url + "?page=1").content.decode(), signed_in.get(url + "?page=2").content.decode()
    assert "Page 1 of" in first and "Page 2 of" in second

    searched = section(signed_in.get(reverse("markets") + "?q=sol").content.decode(), "top-coins")
    assert "Solana" in searched and "Bitcoin</" not in searched
    assert "Page 1 of" in signed_in.get(url + "?page=1").content.decode()


def test_a_visitor_after_a_signed_in_user_gets_the_same_widgets_and_nothing_of_theirs(signed_in, market, user):
    theirs = signed_in.get(reverse("markets")).content.decode()
    visitor = Client().get(reverse("markets"))
    html = visitor.content.decode()

    assert widgets_rendered(visitor) == []  # served from the signed-in user's renderings ...
    for name in PUBLIC_WIDGETS:
        assert section(html, name) == section(theirs, name)
    # ... which hold nothing of theirs: the page around them is the visitor's own.
    assert 'id="chart-alert-link"' in theirs and 'id="chart-alert-link"' not in html
    assert "for price alerts" in html and user.email not in html
    assert "csrfmiddlewaretoken" not in "".join(section(theirs, name) for name in PUBLIC_WIDGETS)
