"""The signals list pages 50 at a time (filters kept in the page links), sorts by what it shows (when a
signal became known, newest first), and writes symbols and prices as traders do, here, on a signal's
page, on the sniper page and in the pushes; on a phone the columns a trader acts on stay on screen."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.trading.factories import BTC, EXCHANGE, make_signal
from trading.models import SniperAlert
from trading.services.signals import signal_event
from trading.services.sniper import alert_event

pytestmark = pytest.mark.django_db
T0 = datetime(2024, 3, 1, tzinfo=UTC)


def body(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def row_ids(text: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-signal-id="(\d+)"', text)]


def test_signals_are_paged_with_links_that_keep_the_filters(full_client):
    longs = [make_signal(bar_time=T0 + timedelta(minutes=5 * i)) for i in range(120)]
    for i in range(10):
        make_signal(bar_time=T0 + timedelta(minutes=5 * i), direction="SHORT")

    first = body(full_client.get("/signals/", {"direction": "LONG"}))
    assert row_ids(first) == [s.pk for s in reversed(longs)][:50]
    assert "1\u201350 of 120" in first  # an en dash
    assert 'href="?direction=LONG&page=2"' in first and 'href="?direction=LONG&page=3"' in first
    assert '<span aria-current="page">1</span>' in first

    third = body(full_client.get("/signals/", {"direction": "LONG", "page": 3}))
    assert row_ids(third) == [s.pk for s in reversed(longs)][100:]
    assert 'rel="prev" href="?direction=LONG&page=2"' in third and 'rel="next"' not in third
    assert 'id="signal-table" class="signals stack-on-phone" data-page="3"' in third
    # the filter form still shows the filter; a page past the end shows the last one
    assert '<option value="LONG" selected>' in third
    assert row_ids(body(full_client.get("/signals/", {"direction": "LONG", "page": 99}))) == row_ids(third)


def test_the_newest_known_signal_comes_first_whatever_its_timeframe(full_client):
    five = make_signal(bar_time=T0 + timedelta(minutes=50))  # opens 00:50, known at 00:55
    hourly = make_signal(bar_time=T0, timeframe="1h")  # opens 00:00, known at 01:00
    assert hourly.known_at > five.known_at and hourly.bar_time < five.bar_time

    assert row_ids(body(full_client.get("/signals/"))) == [hourly.pk, five.pk]
    api = full_client.get("/api/signals/").json()["results"]
    assert [s["id"] for s in api] == [hourly.pk, five.pk]
    assert api[0]["known_at"] == "2024-03-01T01:00:00Z"


def test_symbols_and_prices_are_written_as_traders_do(full_client):
    signal = make_signal(bar_time=T0, entry="97000.5", stop_loss="96500", take_profit_1="98000.25")
    listing = body(full_client.get("/signals/"))
    row = re.search(rf'<tr data-signal-id="{signal.pk}">.*?</tr>', listing, re.S).group(0)
    assert ">BTC/USDT perp</a>" in row and "BTC/USDT:USDT" not in row
    assert ">97,000.50<" in row and ">96,500.00<" in row and ">98,000.25<" in row
    assert '<option value="BTC/USDT:USDT">BTC/USDT perp</option>' in listing

    detail = body(full_client.get(f"/signals/{signal.pk}/"))
    assert re.search(r"<h1>.*LONG</span> BTC/USDT perp · 5m</h1>", detail)
    assert "<title>LONG BTC/USDT perp 5m" in detail and ">97,000.50<" in detail

    alert = SniperAlert.objects.create(
        exchange=EXCHANGE, symbol=BTC, time=T0, move="DUMP", change_pct=Decimal("-12.5"), cleared_pct=Decimal("90"),
        direction="SHORT", entry=Decimal("87000.5"), stop_loss=Decimal("90000"), take_profit=Decimal("81000"),
        origin_price=Decimal("99000"),
    )  # fmt: skip
    sniper = body(full_client.get("/signals/sniper/"))
    assert '<td class="c-symbol">BTC/USDT perp</td>' in sniper and ">87,000.50<" in sniper

    assert signal_event(signal)["symbol_label"] == "BTC/USDT perp"
    assert alert_event(alert)["symbol_label"] == "BTC/USDT perp"


def test_on_a_phone_the_key_columns_are_marked_to_stay_and_tp2_to_go(full_client, settings):
    make_signal(bar_time=T0)
    listing = body(full_client.get("/signals/"))
    assert 'class="signals stack-on-phone"' in listing
    row = re.search(r"<tr data-signal-id=.*?</tr>", listing, re.S).group(0)
    for kept in ("c-symbol", "c-side", "c-entry", "c-stop", "c-tp1", "c-conf", "c-known"):
        assert re.search(rf'<td class="[^"]*\b{kept}\b(?![^"]*secondary)', row), kept
    assert re.search(r'<td class="[^"]*c-tp2 secondary"', row)
    css = (settings.BASE_DIR / "static/css/trading.css").read_text()
    phone = css[css.index("@media (max-width: 640px)"):]
    assert "table.stack-on-phone thead, table.stack-on-phone .secondary { display: none; }" in phone
    assert '"symbol side conf" "entry stop tp1" "known tf setup"' in phone
