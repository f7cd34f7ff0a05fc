"""Journey: a signed-in (LIMITED) user opens Markets, sees the DEMO badge and every widget, and watches
prices move live as the market refreshes (here driven from the test process, as the beat would)."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection
from playwright.sync_api import expect

from market.services import intel
from market.services.snapshots import snapshots_refresh_all, tickers_refresh
from market.sources import reset_source
from tests.e2e.session import sign_in

pytestmark = pytest.mark.e2e

BTC_PRICE = "#top-rows tr[data-coin=BTC] [data-price]"


class MarketBeat:
    """Refreshes the tickers every second on a thread of its own (not Playwright's: it runs an event
    loop on this one), like the beat's "Market: refresh tickers" schedule."""

    def __init__(self, every: float = 1.0):
        self.every = every
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while not self.stop.wait(self.every):
                tickers_refresh()
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
        finally:
            connection.close()

    def __enter__(self) -> MarketBeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(15)


def run_in_thread(function) -> None:
    thread = threading.Thread(target=lambda: (function(), connection.close()))
    thread.start()
    thread.join(60)


def record_fragments(page) -> list[str]:
    """The widget fragments the page requests from now on, as "<name>/?<query>"."""
    fragments: list[str] = []
    marker = "/markets/widgets/"
    page.on("request", lambda r: fragments.append(r.url.split(marker)[1]) if marker in r.url else None)
    return fragments


@pytest.fixture
def market_ready(live_asgi_server):
    reset_source()
    run_in_thread(snapshots_refresh_all)


def test_markets_page_shows_demo_data_and_prices_change_live(page, live_asgi_server, user, market_ready):
    sign_in(page, live_asgi_server, user)
    page.goto("/markets/")

    expect(page.locator("#demo-badge")).to_be_visible()
    expect(page.locator("#demo-badge")).to_contain_text("DEMO data")
    for widget in ("fear-greed", "altcoin-season", "chart", "top-coins", "funding", "long-short", "open-interest"):
        expect(page.locator(f"#w-{widget}")).to_be_visible()
    expect(page.locator("#w-heatmap")).to_contain_text("How this is estimated")
    expect(page.locator("#w-arbitrage")).to_contain_text("Transfers take time")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("#chart canvas").first).to_be_visible()  # lightweight-charts drew the candles
    expect(page.locator("#chart-status")).to_contain_text(re.compile(r"\d+ candles of 15m"))

    cell = page.locator(BTC_PRICE)
    before = cell.inner_text()
    chart_before = page.locator("#chart-last").inner_text()
    with MarketBeat() as beat:
        page.wait_for_function(
            "([selector, before]) => document.querySelector(selector).textContent !== before",
            arg=[BTC_PRICE, before],
            timeout=12_000,
        )
        expect(page.locator("#chart-last")).not_to_have_text(chart_before, timeout=12_000)
    assert beat.errors == []
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2}", cell.inner_text())
    assert page.locator("#live-status").inner_text() == ""  # live pushes, not the polling fallback
    assert page.errors == []


def test_chart_pickers_switch_symbol_and_timeframe_without_reloading(page, live_asgi_server, user, market_ready):
    sign_in(page, live_asgi_server, user)
    page.goto("/markets/")
    expect(page.locator("#chart-status")).to_contain_text("candles of 15m")

    page.locator("#chart-symbol").select_option("ETH/USDT:USDT")
    page.locator("#chart-form button[value='1h']").click()

    expect(page.locator("#chart-title")).to_have_text("ETH perpetual")
    expect(page.locator("#chart-status")).to_contain_text("candles of 1h")
    expect(page.locator("#chart-form button[value='1h']")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#w-heatmap h2")).to_contain_text("ETH")
    assert "symbol=ETH" in page.url and "timeframe=1h" in page.url

    page.fill("#top-q", "solana")
    expect(page.locator("#top-rows tr")).to_have_count(1)
    expect(page.locator("#top-rows")).to_contain_text("Solana")
    assert page.errors == []


def test_a_widget_push_refreshes_that_widget_in_place(page, live_asgi_server, user, market_ready):
    fragments = record_fragments(page)
    sign_in(page, live_asgi_server, user)
    page.goto("/markets/")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    page.evaluate("window.flaxuMarker = true")  # survives only if the page is not reloaded
    freshness = page.locator("#w-funding .freshness")
    before = freshness.inner_text()
    assert fragments == []  # the page arrived rendered: no widget fetched on load

    time.sleep(1.1)  # the "updated" time has a resolution of one second
    run_in_thread(intel.funding_refresh)  # what the beat's "funding table" task does: store, then push

    expect(freshness).not_to_have_text(before, timeout=10_000)
    page.wait_for_timeout(1500)  # longer than the section's throttle: a second fetch would show by now
    assert fragments == ["funding/"]  # one push, one fragment request, for that widget only
    assert page.evaluate("window.flaxuMarker") is True
    assert page.errors == []


def test_sorting_paging_and_searching_the_top_coins_swap_the_table_in_place(page, live_asgi_server, user, market_ready):
    sign_in(page, live_asgi_server, user)
    page.goto("/markets/")
    page.evaluate("window.flaxuMarker = true")
    rows = page.locator("#top-rows tr")

    page.locator("#top-table thead a", has_text="Price").click()  # figures sort descending first
    expect(page.locator("#top-table th[aria-sort=descending]")).to_have_text("Price")
    prices = [float(p.replace(",", "")) for p in page.locator("#top-rows [data-price]").all_inner_texts()]
    assert prices == sorted(prices, reverse=True) and len(prices) == 50

    page.locator("#top-pager a[rel=next]").click()
    expect(page.locator("#top-page-label")).to_contain_text("Page 2 of")
    expect(page.locator("#top-table th[aria-sort=descending]")).to_have_text("Price")  # the sort is kept

    search = page.locator("#top-q")
    search.press_sequentially("solana", delay=120)  # answers arrive while typing: the field keeps focus and text
    expect(rows).to_have_count(1)
    expect(page.locator("#top-rows")).to_contain_text("Solana")
    assert search.input_value() == "solana"
    assert page.evaluate("document.activeElement.id") == "top-q"
    assert page.evaluate("window.flaxuMarker") is True  # all without reloading the page
    assert "sort=" not in page.url  # nor navigating
    assert page.errors == []
