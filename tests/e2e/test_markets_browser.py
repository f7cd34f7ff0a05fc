"""In Chromium: the Content-Security-Policy raises no violation on the markets page (anonymous and signed in)
and the dashboard; the top-500 table keeps name, price and 24 h change on a 390 px phone; the chart
header never shows the previous symbol's price after a switch."""

from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import expect

from market.selectors import snapshots
from market.selectors.candles import candle_exchanges
from market.services import intel
from market.services.candles import candles_ingest
from market.templatetags.market_format import price
from market.views import WIDGETS
from tests.e2e.helpers import RECORD_VIOLATIONS
from tests.e2e.session import sign_in
from tests.trading.factories import grant_full

from .test_markets_live import market_ready, record_fragments, run_in_thread  # noqa: F401 - a fixture

BTC = "BTC/USDT:USDT"

pytestmark = pytest.mark.e2e

# Records every violation the page reports (init scripts are the browser's own, not subject to the CSP).


def watch_policy(page) -> list[str]:
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(RECORD_VIOLATIONS)
    return console


def violations(page, console: list[str]) -> list[str]:
    return console + page.evaluate("window.__csp")


def chart_price(symbol: str) -> str:
    return price(snapshots.tickers("bingx").data[symbol].last)


class PriceHistory:
    """Every price the server held for some symbols while a test ran, sampled every 20 ms. The replay market moves
    with the clock and a worker may refresh tickers at any moment, so "the symbol's price" is any of these."""

    def __init__(self, symbols: list[str]) -> None:
        self.symbols, self.seen = symbols, {s: set() for s in symbols}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self._sample_once()

    def __enter__(self) -> PriceHistory:
        self._sample_once()
        self._thread.start()
        return self

    def _sample_once(self) -> None:
        for symbol in self.symbols:
            self.seen[symbol].add(chart_price(symbol))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def expect_shows(self, header, symbol: str, timeout_ms: int = 5000) -> None:
        """The header shows a price the server held for `symbol` (and so none of another symbol's)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while (shown := header.inner_text().strip()) not in self.seen[symbol] and time.monotonic() < deadline:
            header.page.wait_for_timeout(100)
        self._sample_once()
        assert shown in self.seen[symbol], f"the header shows {shown}, not one of {symbol}'s prices {self.seen[symbol]}"


def test_markets_page_raises_no_csp_violation_for_a_visitor(page, live_asgi_server, market_ready):  # noqa: F811
    console = watch_policy(page)
    with page.expect_response(lambda r: "/api/market/tickers/" in r.url) as poll:
        response = page.goto("/markets/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert poll.value.status == 200  # no websocket for visitors: the page polls the public API
    expect(page.locator("#chart canvas").first).to_be_visible()  # the chart library ran
    expect(page.locator("#chart-status")).to_contain_text("candles of 15m")
    expect(page.locator("#top-rows tr[data-coin=BTC]")).to_be_visible()
    page.wait_for_timeout(1000)  # the heatmap drawing
    assert page.locator("#live-status").inner_text() == ""  # polling is normal here, not an outage
    assert violations(page, console) == []
    assert page.errors == []


PAINTED = """() => {
  const canvas = document.getElementById("heatmap-canvas");
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  return pixels.some((value) => value !== 0);
}"""
CLEAR = '(c => c.getContext("2d").clearRect(0, 0, c.width, c.height))(document.getElementById("heatmap-canvas"))'


def test_a_visitors_poll_refreshes_each_widget_once_under_the_policy(page, live_asgi_server, market_ready):  # noqa: F811
    """Visitors have no websocket: about once a minute markets.js dispatches "flaxu:poll" and every widget
    section fetches its own fragment once (here dispatched at once rather than waited for)."""

    def a_map_for_btc() -> None:  # stored candles to seed it, as the candle ingest and the heatmap task do
        candles_ingest(candle_exchanges()[0], BTC, "15m", push=False)
        intel.liquidation_heatmaps_refresh()

    run_in_thread(a_map_for_btc)
    console = watch_policy(page)
    fragments = record_fragments(page)
    page.goto("/markets/")
    page.wait_for_function(PAINTED)
    page.evaluate("window.flaxuMarker = true")
    page.evaluate(CLEAR)

    with page.expect_response(lambda r: "/markets/widgets/heatmap/" in r.url):
        page.evaluate('document.dispatchEvent(new CustomEvent("flaxu:poll"))')
    page.wait_for_timeout(1500)

    assert sorted(f.split("/")[0] for f in fragments) == sorted(WIDGETS)  # each widget once
    assert "heatmap/?symbol=BTC%2FUSDT%3AUSDT" in fragments  # the symbol chosen in the chart's select
    page.wait_for_function(PAINTED, timeout=2000)  # the map is drawn again after its swap
    expect(page.locator("#top-rows tr[data-coin=BTC]")).to_be_visible()
    assert page.evaluate("window.flaxuMarker") is True
    assert violations(page, console) == []
    assert page.errors == []


def test_markets_and_dashboard_raise_no_csp_violation_when_signed_in(page, live_asgi_server, user, market_ready):  # noqa: F811
    console = watch_policy(page)
    sign_in(page, live_asgi_server, user)

    page.goto("/markets/")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")  # websocket allowed
    expect(page.locator("#chart-status")).to_contain_text("candles of 15m")
    page.locator("#theme-toggle").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"

    page.goto("/dashboard/")
    expect(page.locator("h1")).to_have_text("Dashboard")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"  # theme.js ran before paint
    page.wait_for_timeout(500)
    assert violations(page, console) == []
    assert page.errors == []


def test_top_coins_keep_name_price_and_change_on_a_phone(browser, live_asgi_server, market_ready):  # noqa: F811
    context = browser.new_context(base_url=str(live_asgi_server), viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto("/markets/")
        row = phone.locator("#top-rows tr[data-coin=BTC]")
        expect(row).to_be_visible()
        cells = {"name": row.locator("th"), "price": row.locator("[data-price]"), "24 h": row.locator("[data-change]")}
        for what, cell in cells.items():
            box = cell.bounding_box()
            assert box and box["width"] > 0, what
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{what} is off screen: {box}"
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # the page itself never scrolls sideways
    finally:
        context.close()


def test_switching_symbol_shows_the_new_symbols_price_at_once(page, live_asgi_server, user, market_ready):  # noqa: F811
    held = []  # the header's ticker request for ETH, answered only after the switch to SOL
    page.route("**/api/market/tickers/?*symbol=ETH*", lambda route: held.append(route))
    with PriceHistory(["BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT"]) as prices:
        sign_in(page, live_asgi_server, user)
        page.goto("/markets/")
        header = page.locator("#chart-last")
        prices.expect_shows(header, "BTC/USDT:USDT")

        page.locator("#chart-symbol").select_option("ETH/USDT:USDT")
        for btc in prices.seen["BTC/USDT:USDT"]:
            expect(header).not_to_have_text(btc, timeout=2000)  # no pushes run here
        page.locator("#chart-symbol").select_option("SOL/USDT:USDT")
        prices.expect_shows(header, "SOL/USDT:USDT", timeout_ms=3000)

        assert held, "the ETH header request was made"
        for route in held:
            route.continue_()  # the late answer for ETH arrives now ...
        page.wait_for_timeout(800)
        prices.expect_shows(header, "SOL/USDT:USDT", timeout_ms=0)  # ... and is ignored
    assert page.errors == []


def test_the_header_keeps_the_ticker_price_when_the_candles_arrive(page, live_asgi_server, user, market_ready):  # noqa: F811
    def candles_closing_at_one(route):
        answer = route.fetch().json()
        answer["candles"][-1]["close"] = "1.00"  # a last candle that disagrees with the ticker
        route.fulfill(json=answer)

    page.route("**/api/market/candles/?*", candles_closing_at_one)
    with PriceHistory(["BTC/USDT:USDT"]) as prices:
        sign_in(page, live_asgi_server, user)
        with page.expect_response(lambda r: "/api/market/candles/" in r.url):
            page.goto("/markets/")
        expect(page.locator("#chart-status")).to_contain_text("candles of 15m")
        prices.expect_shows(page.locator("#chart-last"), "BTC/USDT:USDT", timeout_ms=0)
    assert page.errors == []


def test_api_docs_render_under_the_policy(page, live_asgi_server):
    console = watch_policy(page)
    response = page.goto("/api/docs/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("FLAXU API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()  # an operation opens (React renders it on click)
    page.wait_for_timeout(500)
    assert violations(page, console) == []
    assert page.errors == []


def test_every_signed_in_page_raises_no_csp_violation(page, live_asgi_server, user, market_ready):  # noqa: F811
    grant_full(user)
    console = watch_policy(page)
    sign_in(page, live_asgi_server, user)
    for path in (
        "/markets/alerts/",
        "/access/",
        "/access/connect/",
        "/account/keys/",
        "/account/tokens/",
        "/account/2fa/",
        "/account/profile/",
        "/signals/",
        "/signals/sniper/",
        "/backtests/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        assert violations(page, console) == [], path
    assert page.errors == []
